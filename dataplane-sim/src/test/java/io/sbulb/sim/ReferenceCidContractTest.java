package io.sbulb.sim;

import io.sbulb.api.CidContract;
import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import java.util.EnumSet;

/** The DTLS Connection ID routing contract, held by the reference model. */
class ReferenceCidContractTest extends CidContract {

    @Override
    protected Dataplane create(Limits limits) {
        return new ReferenceDataplane(limits, LruParameters.detect(), Reason.eventMask(EnumSet.allOf(Reason.class)));
    }
}
