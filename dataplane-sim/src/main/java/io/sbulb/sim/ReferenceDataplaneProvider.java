package io.sbulb.sim;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneProvider;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;

/** {@code sim}: the pure-Java reference model, evicting as this machine's kernel would. */
public final class ReferenceDataplaneProvider implements DataplaneProvider {

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public String description() {
        return "the pure-Java reference model";
    }

    @Override
    public Dataplane create(Limits limits, long eventMask) {
        return new ReferenceDataplane(limits, LruParameters.detect(), eventMask);
    }
}
