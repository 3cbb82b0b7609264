package io.sbulb.control.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.control.health.RiseFall.State;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rows of {results (+ ok, - failed), the states after each}, rise 2, fall 3, starting UP. */
class RiseFallTest {

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("fall failures in a row take it down", "+---", "UUUD"),
                Arguments.of("a success resets the failures", "--+--", "UUUUU"),
                Arguments.of("rise successes in a row bring it up", "---++", "UUDDU"),
                Arguments.of("a failure resets the successes", "---+-++", "UUDDDDU"),
                Arguments.of("down stays down on failures", "------", "UUDDDD"),
                Arguments.of("up again, then down again after fall", "---++---", "UUDDUUUD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void statesFollowHaproxysCounting(String name, String results, String states) {
        RiseFall r = new RiseFall(2, 3, State.UP);
        StringBuilder got = new StringBuilder();
        int changes = 0;
        for (char c : results.toCharArray()) {
            if (r.record(c == '+')) {
                changes++;
            }
            got.append(r.state() == State.UP ? 'U' : 'D');
        }
        assertThat(got.toString()).isEqualTo(states);
        int expected = 0;
        for (int i = 0; i < states.length(); i++) {
            if (states.charAt(i) != (i == 0 ? 'U' : states.charAt(i - 1))) {
                expected++;
            }
        }
        assertThat(changes).as("state changes reported").isEqualTo(expected);
    }
}
