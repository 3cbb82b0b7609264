package io.sbulb.sim;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneContractTest;
import io.sbulb.api.Limits;

/** The dataplane contract, held by the reference model. */
class ReferenceDataplaneContractTest extends DataplaneContractTest {

    @Override
    protected Dataplane create(Limits limits) {
        return new ReferenceDataplane(limits);
    }
}
