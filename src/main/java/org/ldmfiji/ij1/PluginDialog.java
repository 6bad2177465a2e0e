package org.ldmfiji.ij1;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.macro.Interpreter;

import org.ldmfiji.task.Option;

import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of an ImageJ 1.x plugin, declared once: from the macro's option string when the plugin runs from a
 * macro ({@code run("LDM Inpaint...", "steps=20 seed=1 stack")}), else from a {@link GenericDialog}, whose labels
 * start with the keys so that the Recorder writes the same keys. Macro options are parsed here, not by
 * GenericDialog, because a GenericDialog is an AWT dialog and cannot even be created in a headless JVM.
 */
final class PluginDialog {

	private enum Kind { NUMBER, STRING, CHOICE, CHECKBOX }

	private static final class Field {
		final Kind kind;
		final String key, label;
		final Object fallback;
		final String[] choices;
		Object value;

		Field(Kind kind, String key, String label, Object fallback, String[] choices) {
			if (!label.toLowerCase().startsWith(key)) throw new IllegalArgumentException("label '" + label
				+ "' must start with its macro key '" + key + "' (ImageJ records the label's first word)");
			this.kind = kind;
			this.key = key;
			this.label = label;
			this.fallback = fallback;
			this.choices = choices;
			this.value = fallback;
		}
	}

	private final String title;
	private final Map<String, Field> fields = new LinkedHashMap<>();
	private final List<String> notes = new ArrayList<>();

	PluginDialog(String title) {
		this.title = title;
	}

	PluginDialog number(String key, String label, double fallback) {
		return add(new Field(Kind.NUMBER, key, label, fallback, null));
	}

	PluginDialog string(String key, String label, String fallback) {
		return add(new Field(Kind.STRING, key, label, fallback, null));
	}

	PluginDialog choice(String key, String label, String[] choices, String fallback) {
		return add(new Field(Kind.CHOICE, key, label, fallback, choices));
	}

	PluginDialog checkbox(String key, String label, boolean fallback) {
		return add(new Field(Kind.CHECKBOX, key, label, fallback, null));
	}

	/** An option of {@link org.ldmfiji.task.OptionTable}, with its label and default. */
	PluginDialog option(Option o) {
		switch (o.kind) {
			case INTEGER:
			case NUMBER:
				return number(o.key, o.label, o.defaultNumber());
			case CHOICE:
				return choice(o.key, o.label, o.choices.toArray(new String[0]), o.defaultText());
			case FLAG:
				return checkbox(o.key, o.label, o.defaultFlag());
			default:
				return string(o.key, o.label, o.defaultText());
		}
	}

	/** Each of the options, in order. */
	PluginDialog options(Iterable<Option> options) {
		for (Option o : options) option(o);
		return this;
	}

	PluginDialog note(String text) {
		notes.add(text);
		return this;
	}

	private PluginDialog add(Field f) {
		fields.put(f.key, f);
		return this;
	}

	/**
	 * Reads the values: from the macro options if there are any, else (with a display and, in a batch macro, an
	 * ImageJ window) from the dialog, else the defaults. Returns false if the user cancelled the dialog.
	 */
	boolean show() {
		String options = Macro.getOptions();
		if (options != null) {
			parse(options);
			return true;
		}
		// Headless, or a batch macro without an ImageJ window (ImageJ -batch): no one could answer a modal dialog
		if (GraphicsEnvironment.isHeadless() || (IJ.getInstance() == null && Interpreter.isBatchMode())) return true;
		GenericDialog gd = new GenericDialog(title);
		for (String n : notes) gd.addMessage(n);
		for (Field f : fields.values()) {
			switch (f.kind) {
				case NUMBER:
					double v = (Double) f.fallback;
					gd.addNumericField(f.label, v, v == Math.rint(v) ? 0 : 3);
					break;
				case STRING:
					gd.addStringField(f.label, (String) f.fallback, 20);
					break;
				case CHOICE:
					gd.addChoice(f.label, f.choices, (String) f.fallback);
					break;
				default:
					gd.addCheckbox(f.label, (Boolean) f.fallback);
			}
		}
		gd.showDialog();
		if (gd.wasCanceled()) return false;
		for (Field f : fields.values()) {
			switch (f.kind) {
				case NUMBER:
					f.value = gd.getNextNumber();
					break;
				case STRING:
					f.value = gd.getNextString();
					break;
				case CHOICE:
					f.value = gd.getNextChoice();
					break;
				default:
					f.value = gd.getNextBoolean();
			}
		}
		if (gd.invalidNumber()) throw new IllegalArgumentException("a numeric field of '" + title + "' is not a number");
		return true;
	}

	/** key=value, key=[value with spaces], and a bare key for a ticked checkbox (ImageJ's macro option syntax). */
	void parse(String options) {
		for (Field f : fields.values()) {
			if (f.kind == Kind.CHECKBOX) {
				String v = Macro.getValue(options, f.key, null);
				f.value = v != null ? !v.equalsIgnoreCase("false") : hasWord(options, f.key);
				continue;
			}
			String v = Macro.getValue(options, f.key, null);
			if (v == null) continue;
			switch (f.kind) {
				case NUMBER:
					try {
						f.value = Double.parseDouble(v.trim());
					}
					catch (NumberFormatException e) {
						throw new IllegalArgumentException(title + ": '" + f.key + "=" + v + "' is not a number");
					}
					break;
				case CHOICE:
					String match = null;
					for (String c : f.choices) if (c.equalsIgnoreCase(v.trim())) match = c;
					if (match == null) throw new IllegalArgumentException(title + ": '" + f.key + "=" + v + "' is not one of "
						+ String.join(", ", f.choices));
					f.value = match;
					break;
				default:
					f.value = v;
			}
		}
	}

	/** Whether {@code key} stands alone as a word of the options (outside [brackets]). */
	private static boolean hasWord(String options, String key) {
		int depth = 0;
		StringBuilder word = new StringBuilder();
		for (char ch : (options + " ").toCharArray()) {
			if (ch == '[') depth++;
			else if (ch == ']') depth = Math.max(0, depth - 1);
			if (depth == 0 && ch == ' ') {
				if (word.toString().equalsIgnoreCase(key)) return true;
				word.setLength(0);
			}
			else if (depth == 0) word.append(ch);
		}
		return false;
	}

	/** An option's value, checked against its range (NaN, infinities and fractions of integers refused). */
	double number(Option o) {
		return checked(() -> o.check(number(o.key)));
	}

	int integer(Option o) {
		return (int) number(o);
	}

	long longValue(Option o) {
		return (long) number(o);
	}

	String string(Option o) {
		String v = string(o.key);
		return o.kind == Option.Kind.CHOICE ? checked(() -> o.choice(v)) : v;
	}

	boolean flag(Option o) {
		return flag(o.key);
	}

	/** The default a field shows (for the test that compares the dialogs with the option table). */
	Object fallback(String key) {
		Field f = fields.get(key);
		return f == null ? null : f.fallback;
	}

	private <T> T checked(java.util.function.Supplier<T> read) {
		try {
			return read.get();
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(title + ": " + e.getMessage());
		}
	}

	double number(String key) {
		return (Double) fields.get(key).value;
	}

	int integer(String key) {
		double v = number(key);
		if (v != Math.rint(v)) throw new IllegalArgumentException(title + ": " + key + " must be a whole number, got " + v);
		return (int) v;
	}

	long longValue(String key) {
		double v = number(key);
		if (v != Math.rint(v)) throw new IllegalArgumentException(title + ": " + key + " must be a whole number, got " + v);
		return (long) v;
	}

	String string(String key) {
		return (String) fields.get(key).value;
	}

	boolean flag(String key) {
		return (Boolean) fields.get(key).value;
	}
}
