package org.ldmfiji.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Typed reads from a manifest object; every failure names the JSON path and the manifest file. */
final class JsonFields {

	/** Names, labels and choices are short single-line texts. */
	static final int MAX_NAME = 256;

	private final JsonObject object;
	private final String path;
	private final String file;

	JsonFields(JsonObject object, String path, String file) {
		this.object = object;
		this.path = path;
		this.file = file;
	}

	boolean has(String key) {
		return object.has(key) && !object.get(key).isJsonNull();
	}

	private JsonElement get(String key) {
		if (!has(key)) throw error(key, "is missing");
		return object.get(key);
	}

	String string(String key) {
		JsonElement e = get(key);
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error(key, "must be a string");
		return e.getAsString();
	}

	String string(String key, String fallback) {
		return has(key) ? string(key) : fallback;
	}

	/** A string of 1 to 256 characters without control characters: a name, a label, a choice. */
	String name(String key) {
		return checkedName(key, string(key));
	}

	String name(String key, String fallback) {
		return has(key) ? name(key) : fallback;
	}

	private String checkedName(String key, String s) {
		if (s.isEmpty() || s.length() > MAX_NAME) throw error(key, "must have 1 to " + MAX_NAME + " characters, got "
			+ s.length());
		if (s.chars().anyMatch(Character::isISOControl)) throw error(key, "must not contain control characters, got "
			+ quote(s, '\''));
		return s;
	}

	/** A finite number (the parser already refuses others; this keeps the guarantee local). */
	double number(String key) {
		JsonElement e = get(key);
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(key, "must be a number");
		double v = e.getAsDouble();
		if (!Double.isFinite(v)) throw error(key, "must be a finite number, got " + e.getAsString());
		return v;
	}

	double number(String key, double fallback) {
		return has(key) ? number(key) : fallback;
	}

	/** A number in [min, max]. */
	double number(String key, double min, double max) {
		double v = number(key);
		if (v < min || v > max) throw error(key, "must be a number from " + format(min) + " to " + format(max) + ", got " + literal(key));
		return v;
	}

	double number(String key, double fallback, double min, double max) {
		return has(key) ? number(key, min, max) : fallback;
	}

	/** An integer in [min, max], checked before anything is sized by it. */
	int integer(String key, int min, int max) {
		double v = number(key);
		if (v != Math.rint(v) || v < min || v > max) throw error(key, "must be an integer from " + min + " to " + max
			+ ", got " + literal(key));
		return (int) v;
	}

	/** The number as the file writes it. */
	String literal(String key) {
		return object.get(key).getAsString();
	}

	boolean bool(String key, boolean fallback) {
		if (!has(key)) return fallback;
		JsonElement e = object.get(key);
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw error(key, "must be true or false");
		return e.getAsBoolean();
	}

	JsonFields object(String key) {
		JsonElement e = get(key);
		if (!e.isJsonObject()) throw error(key, "must be an object");
		return new JsonFields(e.getAsJsonObject(), path + "." + key, file);
	}

	JsonObject raw() {
		return object;
	}

	List<JsonFields> objects(String key) {
		JsonArray a = array(key);
		List<JsonFields> out = new ArrayList<>();
		for (int i = 0; i < a.size(); i++) {
			if (!a.get(i).isJsonObject()) throw error(key + "[" + i + "]", "must be an object");
			out.add(new JsonFields(a.get(i).getAsJsonObject(), path + "." + key + "[" + i + "]", file));
		}
		return out;
	}

	/** 1 to {@code maxCount} distinct names (see {@link #name}). */
	List<String> names(String key, int maxCount) {
		JsonArray a = array(key);
		if (a.size() < 1 || a.size() > maxCount) throw error(key, "must list 1 to " + maxCount + " names, got " + a.size());
		List<String> out = new ArrayList<>();
		for (int i = 0; i < a.size(); i++) {
			JsonElement e = a.get(i);
			String at = key + "[" + i + "]";
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error(at, "must be a string");
			String s = checkedName(at, e.getAsString());
			if (out.contains(s)) throw error(at, quote(s, '\'') + " is listed twice");
			out.add(s);
		}
		return out;
	}

	/** A two-element [min, max] range of finite numbers within ±{@code limit}, max > min. */
	double[] range(String key, double limit) {
		JsonArray a = array(key);
		String shape = "must be [min, max] with numbers from " + format(-limit) + " to " + format(limit) + " and max > min";
		if (a.size() != 2) throw error(key, shape + ", got " + a.size() + " elements");
		double[] r = new double[2];
		for (int i = 0; i < 2; i++) {
			JsonElement e = a.get(i);
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(key, shape + ", got " + quote(a.toString(), ' '));
			r[i] = e.getAsDouble();
			if (!(Math.abs(r[i]) <= limit)) throw error(key, shape + ", got " + quote(a.toString(), ' '));
		}
		if (!(r[1] > r[0])) throw error(key, shape + ", got " + quote(a.toString(), ' '));
		return r;
	}

	private JsonArray array(String key) {
		JsonElement e = get(key);
		if (!e.isJsonArray()) throw error(key, "must be an array");
		return e.getAsJsonArray();
	}

	BundleException error(String key, String problem) {
		return new BundleException(oneLine(file + ": " + path + "." + key + " " + problem
			+ " (see models/README.md for the manifest format; re-export the bundle with models/ldm_models/export.py)"));
	}

	/** A value for a message: at most 80 characters, control characters escaped, in {@code mark}s (none for ' '). */
	static String quote(String s, char mark) {
		StringBuilder b = new StringBuilder();
		if (mark != ' ') b.append(mark);
		for (int i = 0; i < s.length() && i < 80; i++) {
			char c = s.charAt(i);
			if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
			else b.append(c);
		}
		if (s.length() > 80) b.append("...");
		if (mark != ' ') b.append(mark);
		return b.toString();
	}

	/** A limit for a message: 1000000, not 1000000.0. */
	static String format(double v) {
		return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
	}

	/** Line breaks and tabs of a message folded into spaces: errors are one line. */
	static String oneLine(String s) {
		return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replace('\t', ' ').trim();
	}
}
