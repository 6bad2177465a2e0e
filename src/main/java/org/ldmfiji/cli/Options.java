package org.ldmfiji.cli;

import org.ldmfiji.task.Option;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed {@code --key value} options and {@code --flag}s of one subcommand; unknown ones are errors. */
final class Options {

	private final Map<String, String> values = new LinkedHashMap<>();
	private final String command;

	/**
	 * @param withValue the options that take a value
	 * @param flags the options that take none
	 */
	Options(String command, List<String> args, Set<String> withValue, Set<String> flags) {
		this.command = command;
		List<String> rest = new ArrayList<>(args);
		for (int i = 0; i < rest.size(); i++) {
			String a = rest.get(i);
			if (!a.startsWith("--")) throw new UsageException("unexpected argument '" + a + "' for '" + command + "'");
			String key = a.substring(2);
			String value = null;
			int eq = key.indexOf('=');
			if (eq >= 0) {
				value = key.substring(eq + 1);
				key = key.substring(0, eq);
			}
			if (values.containsKey(key) && (flags.contains(key) || withValue.contains(key)))
				throw new UsageException("--" + key + " is given twice: give it once");
			if (flags.contains(key)) {
				if (value != null) throw new UsageException("--" + key + " takes no value");
				values.put(key, "true");
			}
			else if (withValue.contains(key)) {
				if (value == null) {
					if (i + 1 >= rest.size()) throw new UsageException("--" + key + " needs a value");
					value = rest.get(++i);
				}
				values.put(key, value);
			}
			else {
				List<String> known = new ArrayList<>(withValue);
				known.addAll(flags);
				Collections.sort(known);
				String near = nearest(key, known);
				throw new UsageException("unknown option --" + key + " for '" + command + "'"
					+ (near == null ? "" : " (did you mean --" + near + "?)") + "; known: --" + String.join(", --", known));
			}
		}
	}

	/** The known option within two edits of {@code key} (a typo), the closest first; null when none is that close. */
	static String nearest(String key, List<String> known) {
		String best = null;
		int bestDistance = 3;
		for (String k : known) {
			int d = editDistance(key, k);
			if (d < bestDistance) {
				best = k;
				bestDistance = d;
			}
		}
		return best;
	}

	/** Levenshtein distance: insertions, deletions and substitutions. */
	private static int editDistance(String a, String b) {
		int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) prev[j] = j;
		for (int i = 1; i <= a.length(); i++) {
			cur[0] = i;
			for (int j = 1; j <= b.length(); j++)
				cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
			int[] t = prev;
			prev = cur;
			cur = t;
		}
		return prev[b.length()];
	}

	String get(String key, String fallback) {
		return values.getOrDefault(key, fallback);
	}

	String required(String key) {
		String v = values.get(key);
		if (v == null) throw new UsageException("'" + command + "' needs --" + key);
		return v;
	}

	boolean flag(String key) {
		return values.containsKey(key);
	}

	int integer(String key, int fallback, int min, int max) {
		String v = values.get(key);
		if (v == null) return fallback;
		try {
			int n = Integer.parseInt(v.trim());
			if (n < min || n > max) throw new UsageException("--" + key + " must be between " + min + " and " + max + ", got " + n);
			return n;
		}
		catch (NumberFormatException e) {
			throw new UsageException("--" + key + " must be a whole number, got '" + v + "'");
		}
	}

	long longValue(String key, long fallback) {
		String v = values.get(key);
		if (v == null) return fallback;
		try {
			return Long.parseLong(v.trim());
		}
		catch (NumberFormatException e) {
			throw new UsageException("--" + key + " must be a whole number, got '" + v + "'");
		}
	}

	double number(String key, double fallback) {
		String v = values.get(key);
		if (v == null) return fallback;
		double d;
		try {
			d = Double.parseDouble(v.trim());
		}
		catch (NumberFormatException e) {
			throw new UsageException("--" + key + " must be a number, got '" + v + "'");
		}
		if (!Double.isFinite(d)) throw new UsageException("--" + key + " must be a finite number, got '" + v + "'");
		return d;
	}

	/** An option of {@link org.ldmfiji.task.OptionTable}: its default when absent, else the value checked against its range. */
	double number(Option o) {
		String v = values.get(o.key);
		return v == null ? o.defaultNumber() : checked(() -> o.parse(v));
	}

	int integer(Option o) {
		return (int) number(o);
	}

	long longValue(Option o) {
		String v = values.get(o.key);
		return v == null ? o.defaultLong() : (long) number(o);
	}

	/** A choice option's value (one of its choices, in the table's spelling). */
	String choice(Option o) {
		String v = values.get(o.key);
		return v == null ? o.defaultText() : checked(() -> o.choice(v));
	}

	String text(Option o) {
		return values.getOrDefault(o.key, o.defaultText());
	}

	/** A value refused by the option table, as a command-line mistake ("--guidance must be ..."). */
	private static <T> T checked(java.util.function.Supplier<T> read) {
		try {
			return read.get();
		}
		catch (IllegalArgumentException e) {
			throw new UsageException("--" + e.getMessage());
		}
	}

	/** A mistake in the command line: printed with a hint to --help. */
	static final class UsageException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		UsageException(String message) {
			super(message);
		}
	}
}
