package org.ldmfiji.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Typed reads from a manifest object; every failure names the JSON path and the manifest file. */
final class JsonFields {

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

	double number(String key) {
		JsonElement e = get(key);
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(key, "must be a number");
		return e.getAsDouble();
	}

	double number(String key, double fallback) {
		return has(key) ? number(key) : fallback;
	}

	int positiveInt(String key) {
		double v = number(key);
		if (v != Math.rint(v) || v < 1) throw error(key, "must be a positive integer, got " + v);
		return (int) v;
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

	List<String> strings(String key) {
		JsonArray a = array(key);
		List<String> out = new ArrayList<>();
		for (JsonElement e : a) {
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error(key, "must list strings");
			out.add(e.getAsString());
		}
		return out;
	}

	/** A two-element [min, max] range. */
	double[] range(String key) {
		JsonArray a = array(key);
		if (a.size() != 2) throw error(key, "must be [min, max]");
		double lo = a.get(0).getAsDouble(), hi = a.get(1).getAsDouble();
		if (!(hi > lo)) throw error(key, "must be [min, max] with max > min, got [" + lo + ", " + hi + "]");
		return new double[] {lo, hi};
	}

	private JsonArray array(String key) {
		JsonElement e = get(key);
		if (!e.isJsonArray()) throw error(key, "must be an array");
		return e.getAsJsonArray();
	}

	BundleException error(String key, String problem) {
		return new BundleException(file + ": " + path + "." + key + " " + problem
			+ " (see models/README.md for the manifest format; re-export the bundle with models/ldm_models/export.py)");
	}
}
