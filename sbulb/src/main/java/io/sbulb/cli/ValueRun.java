package io.sbulb.cli;

import io.sbulb.api.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * How {@code -rs} and {@code -p} take their values, as the original's {@code nargs='+'}: one or
 * more values after the option, but only while the next argument looks like one. So
 * {@code -p 5683 5684 capture.pcap} stops before the capture instead of failing to read it as a
 * port. The first value is always taken (and checked later, with an error naming it).
 */
abstract class ValueRun implements IParameterConsumer {

    private final Predicate<String> looksLikeValue;
    private final String noun;

    ValueRun(Predicate<String> looksLikeValue, String noun) {
        this.looksLikeValue = looksLikeValue;
        this.noun = noun;
    }

    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
        String option = ((OptionSpec) argSpec).shortestName();
        if (args.isEmpty() || commandSpec.optionsMap().containsKey(args.peek())) {
            throw new ParameterException(commandSpec.commandLine(), option + " needs at least one " + noun
                    + (args.isEmpty() ? "" : ", not the option " + args.peek()));
        }
        List<String> values = argSpec.getValue() == null ? new ArrayList<>() : new ArrayList<>(argSpec.getValue());
        values.add(args.pop());
        while (!args.isEmpty() && looksLikeValue.test(args.peek())) {
            values.add(args.pop());
        }
        argSpec.setValue(values);
    }

    /** Real-server addresses: an argument that parses as an IPv4 or IPv6 literal. */
    static final class Addresses extends ValueRun {
        Addresses() {
            super(Addresses::isAddress, "address");
        }

        private static boolean isAddress(String s) {
            try {
                IpAddress.parse(s);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    /** Ports: digits, or a comma-separated list of them (duplicates are one port). */
    static final class Ports extends ValueRun {
        private static final Pattern PORTS = Pattern.compile("\\d+(,\\d+)*");

        Ports() {
            super(s -> PORTS.matcher(s).matches(), "port");
        }
    }
}
