package org.homeconsole.clientmanager;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which commands agents may be asked to run. Patterns are globs over the command line ({@code *} matches
 * any text, {@code ?} one character) or, prefixed with {@code re:}, regular expressions; a command line
 * is the shell string, or the argv joined by spaces. A command matching any deny pattern is refused
 * (deny wins); when allow patterns exist, a command must match one of them.
 */
public final class CommandPolicy {

    private final List<Rule> allow;
    private final List<Rule> deny;

    private record Rule(String source, Pattern pattern) {
    }

    public CommandPolicy(List<String> allow, List<String> deny) {
        this.allow = allow.stream().map(CommandPolicy::compile).toList();
        this.deny = deny.stream().map(CommandPolicy::compile).toList();
    }

    /** Why the command is refused, or empty when it may run. */
    public Optional<String> refusal(String commandLine) {
        for (Rule rule : deny) {
            if (rule.pattern().matcher(commandLine).matches()) {
                return Optional.of("command matches deny pattern '" + rule.source() + "'");
            }
        }
        if (!allow.isEmpty() && allow.stream().noneMatch(rule -> rule.pattern().matcher(commandLine).matches())) {
            return Optional.of("command matches no allow pattern");
        }
        return Optional.empty();
    }

    private static Rule compile(String source) {
        if (source.startsWith("re:")) {
            return new Rule(source, Pattern.compile(source.substring(3), Pattern.DOTALL));
        }
        StringBuilder regex = new StringBuilder();
        for (char c : source.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Rule(source, Pattern.compile(regex.toString(), Pattern.DOTALL));
    }
}
