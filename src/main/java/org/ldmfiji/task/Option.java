package org.ldmfiji.task;

import java.util.List;
import java.util.Locale;

/**
 * One user-facing option: its key (the macro key and the CLI's {@code --key}), the label a dialog shows (starting
 * with the key, so ImageJ's recorder writes the key), its kind, default, range or choices, and help. Every value a
 * shell reads goes through {@link #check}, {@link #parse} or {@link #choice}: ranges are checked in one place and
 * NaN and infinities are refused everywhere. The options themselves are listed in {@link OptionTable}.
 */
public final class Option {

	/** What kind of value the option takes. */
	public enum Kind { INTEGER, NUMBER, TEXT, CHOICE, FLAG }

	public final String key, label, help;
	public final Kind kind;
	public final double min, max;
	public final List<String> choices;
	private final Object fallback;

	private Option(Kind kind, String key, String label, Object fallback, double min, double max, List<String> choices,
		String help)
	{
		if (!label.toLowerCase(Locale.ROOT).startsWith(key)) throw new IllegalArgumentException("label '" + label
			+ "' must start with its key '" + key + "' (ImageJ's recorder writes a label's first word)");
		this.kind = kind;
		this.key = key;
		this.label = label;
		this.fallback = fallback;
		this.min = min;
		this.max = max;
		this.choices = choices;
		this.help = help;
	}

	static Option integer(String key, String label, long fallback, long min, long max, String help) {
		return new Option(Kind.INTEGER, key, label, fallback, min, max, null, help);
	}

	static Option number(String key, String label, double fallback, double min, double max, String help) {
		return new Option(Kind.NUMBER, key, label, fallback, min, max, null, help);
	}

	static Option text(String key, String label, String fallback, String help) {
		return new Option(Kind.TEXT, key, label, fallback, Double.NaN, Double.NaN, null, help);
	}

	static Option choice(String key, String label, String fallback, List<String> choices, String help) {
		if (!choices.contains(fallback)) throw new IllegalArgumentException(key + ": default not among the choices");
		return new Option(Kind.CHOICE, key, label, fallback, Double.NaN, Double.NaN, List.copyOf(choices), help);
	}

	static Option flag(String key, String label, boolean fallback, String help) {
		return new Option(Kind.FLAG, key, label, fallback, Double.NaN, Double.NaN, null, help);
	}

	public int defaultInt() {
		return (int) defaultLong();
	}

	public long defaultLong() {
		return (Long) fallback;
	}

	public double defaultNumber() {
		return kind == Kind.INTEGER ? (Long) fallback : (Double) fallback;
	}

	public String defaultText() {
		return (String) fallback;
	}

	public boolean defaultFlag() {
		return (Boolean) fallback;
	}

	/** The default as a user would type it (for help texts and the README's table). */
	public String defaultAsText() {
		if (kind == Kind.NUMBER) return format(defaultNumber());
		if (kind == Kind.FLAG) return defaultFlag() ? "on" : "off";
		return String.valueOf(fallback);
	}

	/** The allowed values in words: "1 to 1000", "one of a, b", "any text", "on or off". */
	public String range() {
		switch (kind) {
			case INTEGER:
			case NUMBER:
				return format(min) + " to " + format(max);
			case CHOICE:
				return "one of " + String.join(", ", choices);
			case FLAG:
				return "on or off";
			default:
				return "text";
		}
	}

	/** {@code value} if it is finite, within the range and (for an integer option) whole; else an error naming both. */
	public double check(double value) {
		if (!Double.isFinite(value) || value < min || value > max || kind == Kind.INTEGER && value != Math.rint(value))
			throw new IllegalArgumentException(key + " must be " + (kind == Kind.INTEGER ? "a whole number" : "a number")
				+ " from " + format(min) + " to " + format(max) + ", got " + format(value));
		return value;
	}

	/** An integer option's value, checked. */
	public int checkInt(double value) {
		return (int) check(value);
	}

	/** An integer option's value as a long (seeds), checked. */
	public long checkLong(double value) {
		return (long) check(value);
	}

	/** A number typed by the user (macro option, command line), checked; "NaN", "Infinity" and junk are refused. */
	public double parse(String text) {
		if (kind == Kind.INTEGER) {
			// compared as a long: a seed past 2^53 is not rounded into the range on its way through a double
			try {
				long n = Long.parseLong(text.trim());
				if (n < (long) min || n > (long) max) throw new IllegalArgumentException(key + " must be a whole number "
					+ "from " + format(min) + " to " + format(max) + ", got " + n);
				return n;
			}
			catch (NumberFormatException e) {
				// not plain digits: read as a number below ("20.0" is 20)
			}
		}
		double v;
		try {
			v = Double.parseDouble(text.trim());
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(key + " must be " + (kind == Kind.INTEGER ? "a whole number" : "a number")
				+ " from " + format(min) + " to " + format(max) + ", got '" + text + "'");
		}
		return check(v);
	}

	/** A choice typed by the user, matched without regard to case; anything else is an error listing the choices. */
	public String choice(String text) {
		for (String c : choices) if (c.equalsIgnoreCase(text.trim())) return c;
		throw new IllegalArgumentException(key + " must be one of " + String.join(", ", choices) + ", got '" + text + "'");
	}

	private static String format(double v) {
		if (v == Math.rint(v) && Math.abs(v) < 1e16) return Long.toString((long) v);
		return Double.toString(v);
	}

	@Override
	public String toString() {
		return key;
	}
}
