package io.sbulb.api.testing;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.api.ServerRef;
import java.util.List;
import java.util.Map;

/** A {@link DataplaneControl} that does what another does; tests override what they make differ. */
public abstract class ForwardingControl implements DataplaneControl {

    /** The data path calls go to. */
    protected abstract DataplaneControl delegate();

    @Override
    public String name() {
        return delegate().name();
    }

    @Override
    public Limits limits() {
        return delegate().limits();
    }

    @Override
    public void configure(DataplaneConfig config) {
        delegate().configure(config);
    }

    @Override
    public DataplaneConfig configuration() {
        return delegate().configuration();
    }

    @Override
    public List<Association> associations() {
        return delegate().associations();
    }

    @Override
    public Map<Reason, Counter> counters() {
        return delegate().counters();
    }

    @Override
    public Map<ServerRef, Long> serverFrames() {
        return delegate().serverFrames();
    }

    @Override
    public Map<ServerRef, Long> serverMoves() {
        return delegate().serverMoves();
    }

    @Override
    public List<DataplaneEvent> drainEvents(int max) {
        return delegate().drainEvents(max);
    }

    @Override
    public void checkRunning() {
        delegate().checkRunning();
    }

    @Override
    public void close() {
        delegate().close();
    }
}
