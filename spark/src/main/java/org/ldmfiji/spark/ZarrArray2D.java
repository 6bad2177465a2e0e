package org.ldmfiji.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A 2D (Y, X) Zarr v2 array on a file system (the Zarr v2 specification: a {@code .zarray} JSON header, one file per
 * chunk named "row.col", C order, edge chunks stored at full size), of u1, u2 or f4, uncompressed or zlib; what
 * zarr-python, n5-zarr and BigDataViewer read. jzarr (dev.zarr) needs ucar.ma2 of netCDF-Java 5, which only
 * Unidata's repository serves, so the few lines of the format are here. Chunks are written whole, into a temporary
 * file moved into place: a reader or a restarted task sees the old chunk or the new one, never half of one.
 */
final class ZarrArray2D {

	enum Type {
		U1(1, "u1"), U2(2, "u2"), F4(4, "f4");

		final int bytes;
		final String code;

		Type(int bytes, String code) {
			this.bytes = bytes;
			this.code = code;
		}

		static Type parse(String dtype) {
			String c = dtype.substring(1);
			for (Type t : values()) if (t.code.equals(c)) return t;
			throw new IllegalArgumentException("Zarr dtype " + dtype + " is not supported: use u1 (8-bit), u2 (16-bit) or f4 "
				+ "(32-bit float)");
		}

		/** The min and max the type stores; null for f4 (any value). */
		double[] range() {
			return this == F4 ? null : new double[] {0, this == U1 ? 255 : 65535};
		}

		/** Rounds and clamps into the type (integers: halves up, as the plugin's writers), NaN as the minimum. */
		float clamp(double v) {
			if (this == F4) return (float) v;
			if (Double.isNaN(v)) return 0;
			return (float) Math.max(0, Math.min(range()[1], Math.floor(v + 0.5)));
		}
	}

	private static final ObjectMapper JSON = new ObjectMapper();

	final Path path;
	final int height, width, chunkH, chunkW;
	final Type type;
	private final ByteOrder order;
	private final boolean zlib;

	private ZarrArray2D(Path path, int height, int width, int chunkH, int chunkW, Type type, ByteOrder order, boolean zlib) {
		this.path = path;
		this.height = height;
		this.width = width;
		this.chunkH = chunkH;
		this.chunkW = chunkW;
		this.type = type;
		this.order = order;
		this.zlib = zlib;
	}

	static boolean isArray(String path) {
		return Files.isRegularFile(Paths.get(path).resolve(".zarray"));
	}

	static ZarrArray2D open(String location) {
		Path path = Paths.get(location);
		try {
			JsonNode h = JSON.readTree(path.resolve(".zarray").toFile());
			if (h.path("zarr_format").asInt() != 2) throw new IllegalArgumentException(location + " is not a Zarr v2 array");
			JsonNode shape = h.path("shape"), chunks = h.path("chunks");
			if (shape.size() != 2) throw new IllegalArgumentException("the Zarr array " + location + " has shape " + shape
				+ ": give a 2D (Y, X) array, one plane");
			if (!"C".equals(h.path("order").asText("C"))) throw new IllegalArgumentException("the Zarr array " + location
				+ " is in Fortran order: rewrite it in C order");
			if (h.hasNonNull("filters") && h.get("filters").size() > 0) throw new IllegalArgumentException("the Zarr array "
				+ location + " has filters " + h.get("filters") + ": rewrite it without filters");
			if (!".".equals(h.path("dimension_separator").asText("."))) throw new IllegalArgumentException("the Zarr array "
				+ location + " uses the dimension separator '/': rewrite it with '.'");
			String compressor = h.path("compressor").isNull() || h.path("compressor").isMissingNode() ? null
				: h.path("compressor").path("id").asText();
			if (compressor != null && !compressor.equals("zlib")) throw new IllegalArgumentException("the Zarr array "
				+ location + " is compressed with " + compressor + ": rewrite it uncompressed or with zlib");
			String dtype = h.path("dtype").asText();
			return new ZarrArray2D(path, shape.get(0).asInt(), shape.get(1).asInt(), chunks.get(0).asInt(), chunks.get(1).asInt(),
				Type.parse(dtype), dtype.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, compressor != null);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read the Zarr array " + location + ": " + e.getMessage(), e);
		}
	}

	/**
	 * A new zlib-compressed array; an existing one with the same shape, chunks and type is reused (a resumed run),
	 * another one is refused.
	 */
	static ZarrArray2D create(String location, int height, int width, int chunkH, int chunkW, Type type) {
		Path path = Paths.get(location);
		if (isArray(location)) {
			ZarrArray2D a = open(location);
			if (a.height == height && a.width == width && a.chunkH == chunkH && a.chunkW == chunkW && a.type == type) return a;
			throw new IllegalArgumentException("the output " + location + " exists with another shape, chunking or type: "
				+ "remove it or choose another --output");
		}
		ObjectNode h = JSON.createObjectNode();
		h.put("zarr_format", 2);
		h.putArray("shape").add(height).add(width);
		h.putArray("chunks").add(chunkH).add(chunkW);
		h.put("dtype", (type == Type.U1 ? "|" : "<") + type.code);
		h.putObject("compressor").put("id", "zlib").put("level", 1);
		h.put("fill_value", 0);
		h.put("order", "C");
		h.putNull("filters");
		h.put("dimension_separator", ".");
		try {
			DoneMarkers.writeAtomically(path.resolve(".zarray"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(h));
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot write " + location + ": " + e.getMessage(), e);
		}
		return open(location);
	}

	Path chunkFile(int row, int col) {
		return path.resolve(row + "." + col);
	}

	/** The window [y, y + h) × [x, x + w) as row-major float values (missing chunks: the fill value 0). */
	float[] read(int y, int x, int h, int w) {
		if (y < 0 || x < 0 || y + h > height || x + w > width) throw new IllegalArgumentException("window " + x + "," + y
			+ " " + w + "x" + h + " outside the " + width + "x" + height + " array " + path);
		float[] out = new float[h * w];
		for (int r = y / chunkH; r <= (y + h - 1) / chunkH; r++)
			for (int c = x / chunkW; c <= (x + w - 1) / chunkW; c++) {
				ByteBuffer chunk = readChunk(r, c);
				if (chunk == null) continue;
				int cy0 = r * chunkH, cx0 = c * chunkW;
				for (int yy = Math.max(y, cy0); yy < Math.min(y + h, cy0 + chunkH); yy++)
					for (int xx = Math.max(x, cx0); xx < Math.min(x + w, cx0 + chunkW); xx++)
						out[(yy - y) * w + (xx - x)] = get(chunk, ((yy - cy0) * chunkW + (xx - cx0)));
			}
		return out;
	}

	private float get(ByteBuffer b, int i) {
		switch (type) {
			case U1:
				return b.get(i) & 0xff;
			case U2:
				return b.getShort(2 * i) & 0xffff;
			default:
				return b.getFloat(4 * i);
		}
	}

	private ByteBuffer readChunk(int r, int c) {
		Path f = chunkFile(r, c);
		if (!Files.isRegularFile(f)) return null;
		try {
			byte[] raw = Files.readAllBytes(f);
			if (zlib) {
				Inflater inf = new Inflater();
				inf.setInput(raw);
				byte[] out = new byte[chunkH * chunkW * type.bytes];
				int n = 0;
				while (n < out.length && !inf.finished()) n += inf.inflate(out, n, out.length - n);
				inf.end();
				raw = out;
			}
			if (raw.length != chunkH * chunkW * type.bytes) throw new IllegalStateException("chunk " + f + " holds "
				+ raw.length + " bytes, expected " + chunkH * chunkW * type.bytes + ": the array is damaged");
			return ByteBuffer.wrap(raw).order(order);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
		}
		catch (DataFormatException e) {
			throw new IllegalStateException("chunk " + f + " is not valid zlib data: the array is damaged", e);
		}
	}

	/** Writes chunk (row, col) whole from row-major values covering its part inside the array (already in the type). */
	void writeChunk(int row, int col, float[] v) {
		int y0 = row * chunkH, x0 = col * chunkW, h = Math.min(chunkH, height - y0), w = Math.min(chunkW, width - x0);
		if (v.length != h * w) throw new IllegalArgumentException("chunk " + row + "." + col + " takes " + h * w + " values");
		ByteBuffer b = ByteBuffer.allocate(chunkH * chunkW * type.bytes).order(order);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int i = y * chunkW + x;
				float f = v[y * w + x];
				if (type == Type.U1) b.put(i, (byte) (int) f);
				else if (type == Type.U2) b.putShort(2 * i, (short) (int) f);
				else b.putFloat(4 * i, f);
			}
		byte[] bytes = b.array();
		if (zlib) {
			Deflater d = new Deflater(1);
			d.setInput(bytes);
			d.finish();
			ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
			byte[] buf = new byte[1 << 16];
			while (!d.finished()) out.write(buf, 0, d.deflate(buf));
			d.end();
			bytes = out.toByteArray();
		}
		DoneMarkers.writeAtomically(chunkFile(row, col), bytes);
	}

	/** Writes a whole image (row-major, width × height) chunk by chunk. */
	void writeAll(float[] v) {
		for (int r = 0; r * chunkH < height; r++)
			for (int c = 0; c * chunkW < width; c++) {
				int y0 = r * chunkH, x0 = c * chunkW, h = Math.min(chunkH, height - y0), w = Math.min(chunkW, width - x0);
				float[] part = new float[h * w];
				for (int y = 0; y < h; y++) System.arraycopy(v, (y0 + y) * width + x0, part, y * w, w);
				writeChunk(r, c, part);
			}
	}

	@Override
	public String toString() {
		return width + "x" + height + " " + type.code + " (chunks " + chunkW + "x" + chunkH + ") " + path;
	}
}
