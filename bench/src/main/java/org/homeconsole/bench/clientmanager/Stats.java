package org.homeconsole.bench.clientmanager;

import java.util.List;
import java.util.Locale;

/** Median and range of a few runs' figures, as the reports print them. */
final class Stats {

    private Stats() {
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** "median (min – max)" with {@code format} for each number. */
    static String summary(List<Double> values, String format) {
        return String.format(Locale.ROOT, format + " (" + format + " – " + format + ")", median(values), min(values), max(values));
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
