package org.ldmfiji.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Reads a bundle's {@code model.json} within fixed limits, so that a tampered file can exhaust neither the heap nor
 * the stack (issue #16): the size is checked from the file and again while reading, before any parsing; the tree is
 * built by a parser whose recursion stops at {@link #MAX_DEPTH}; strings, arrays and number literals are bounded,
 * numbers must be finite, keys must not repeat, and the syntax is strict JSON (RFC 8259: no NaN, no comments).
 */
final class ManifestJson {

	/** A real manifest is a few kB (the demo's, with its training record, 19 kB). */
	static final int MAX_BYTES = 1 << 20;
	static final int MAX_DEPTH = 64;
	static final int MAX_STRING = 65_536;
	static final int MAX_ELEMENTS = 100_000;
	private static final int MAX_NUMBER_LITERAL = 64;
	private static final int MAX_PATH_SHOWN = 100;

	private final JsonReader reader;
	private final String file;

	private ManifestJson(String text, String file) {
		reader = new JsonReader(new StringReader(text));
		reader.setLenient(false); // RFC 8259; the default, said here because Gson's own JsonParser turns it off
		this.file = file;
	}

	/** The top-level object of a manifest file (a real path inside its bundle; a link there is not followed). */
	static JsonObject read(Path file) {
		String name = file.toString();
		byte[] bytes;
		try {
			long size = Files.size(file);
			if (size > MAX_BYTES) throw tooLarge(name, Long.toString(size));
			try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
				bytes = in.readNBytes(MAX_BYTES + 1); // the file may have grown since its size was read
			}
		}
		catch (IOException e) {
			throw new BundleException("cannot read " + name + " (" + JsonFields.oneLine(e.toString())
				+ "): check that the bundle folder is readable", e);
		}
		if (bytes.length > MAX_BYTES) throw tooLarge(name, "more than " + MAX_BYTES);
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
		}
		catch (CharacterCodingException e) {
			throw new BundleException(name + " is not UTF-8 text: re-export the bundle with models/ldm_models/export.py", e);
		}
		return new ManifestJson(text, name).document();
	}

	private static BundleException tooLarge(String file, String size) {
		return new BundleException(file + " is " + size + " bytes, but a manifest may have at most 1 MiB ("
			+ MAX_BYTES + " bytes): this is not a bundle's model.json; re-export the bundle with models/ldm_models/export.py");
	}

	private JsonObject document() {
		try {
			if (reader.peek() != com.google.gson.stream.JsonToken.BEGIN_OBJECT)
				throw limit("$", "must hold one JSON object, found " + reader.peek());
			JsonObject root = value(0).getAsJsonObject();
			reader.peek(); // strict: anything but whitespace after the object is a syntax error
			return root;
		}
		catch (IOException | IllegalStateException | NumberFormatException e) {
			throw new BundleException(file + " is not valid JSON (" + gsonMessage(e) + "): a manifest is strict JSON "
				+ "(no NaN and Infinity, no comments, quoted names); re-export the bundle with models/ldm_models/export.py", e);
		}
	}

	/** One value; {@code depth} containers are open around it. Recursion ends at {@link #MAX_DEPTH}. */
	private JsonElement value(int depth) throws IOException {
		String at = reader.getPath();
		switch (reader.peek()) {
			case BEGIN_ARRAY: {
				if (depth >= MAX_DEPTH) throw limit(at, "is nested deeper than " + MAX_DEPTH + " levels");
				JsonArray array = new JsonArray();
				reader.beginArray();
				while (reader.hasNext()) {
					if (array.size() >= MAX_ELEMENTS) throw limit(at, "has more than " + MAX_ELEMENTS + " elements");
					array.add(value(depth + 1));
				}
				reader.endArray();
				return array;
			}
			case BEGIN_OBJECT: {
				if (depth >= MAX_DEPTH) throw limit(at, "is nested deeper than " + MAX_DEPTH + " levels");
				JsonObject object = new JsonObject();
				reader.beginObject();
				while (reader.hasNext()) {
					if (object.size() >= MAX_ELEMENTS) throw limit(at, "has more than " + MAX_ELEMENTS + " members");
					String key = reader.nextName();
					if (key.length() > MAX_STRING) throw limit(at, "has a name longer than " + MAX_STRING + " characters");
					if (object.has(key)) throw limit(at, "has the key " + JsonFields.quote(key, '"') + " twice");
					object.add(key, value(depth + 1));
				}
				reader.endObject();
				return object;
			}
			case STRING: {
				String s = reader.nextString();
				if (s.length() > MAX_STRING) throw limit(at, "is a string longer than " + MAX_STRING + " characters");
				return new JsonPrimitive(s);
			}
			case NUMBER: {
				String literal = reader.nextString();
				if (literal.length() > MAX_NUMBER_LITERAL)
					throw limit(at, "is a number written with more than " + MAX_NUMBER_LITERAL + " characters");
				double v = Double.parseDouble(literal);
				if (!Double.isFinite(v)) throw limit(at, "is " + literal + ", not a finite double-precision number");
				return new JsonPrimitive(new Literal(literal, v));
			}
			case BOOLEAN:
				return new JsonPrimitive(reader.nextBoolean());
			case NULL:
				reader.nextNull();
				return JsonNull.INSTANCE;
			default:
				throw limit(at, "has an unexpected " + reader.peek());
		}
	}

	private BundleException limit(String path, String problem) {
		if (path.length() > MAX_PATH_SHOWN) path = path.substring(0, MAX_PATH_SHOWN) + "...";
		return new BundleException(file + ": " + path + " " + problem
			+ " (a model.json is small and flat: see models/README.md; re-export the bundle with models/ldm_models/export.py)");
	}

	/** Gson's syntax message without its advice to parse leniently, on one line. */
	private static String gsonMessage(Exception e) {
		String m = JsonFields.oneLine(e.getMessage() == null ? e.toString() : e.getMessage());
		m = m.replaceAll("Use JsonReader\\.set(Lenient\\(true\\)|Strictness\\(Strictness\\.LENIENT\\)) to accept malformed JSON",
			"malformed JSON");
		int see = m.indexOf(" See https://");
		return see < 0 ? m : m.substring(0, see);
	}

	/** A number as written in the file (so that messages quote it) with its double value. */
	private static final class Literal extends Number {

		private static final long serialVersionUID = 1L;
		private final String text;
		private final double value;

		Literal(String text, double value) {
			this.text = text;
			this.value = value;
		}

		@Override
		public int intValue() {
			return (int) value;
		}

		@Override
		public long longValue() {
			return (long) value;
		}

		@Override
		public float floatValue() {
			return (float) value;
		}

		@Override
		public double doubleValue() {
			return value;
		}

		@Override
		public String toString() {
			return text;
		}
	}
}
