package io.sbulb.sim;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.api.ServicesContract;
import java.util.EnumSet;

/** The services contract, held by the reference model. */
class ReferenceServicesContractTest extends ServicesContract {

    @Override
    protected Dataplane create(Limits limits) {
        return new ReferenceDataplane(limits, LruParameters.detect(), Reason.eventMask(EnumSet.allOf(Reason.class)));
    }
}
