package org.ldmfiji.spark;

import com.bc.zarr.ArrayParams;
import com.bc.zarr.CompressorFactory;
import com.bc.zarr.DataType;
import com.bc.zarr.ZarrArray;

import java.io.IOException;
import java.io.UncheckedIOException;

/** 2D (Y, X) Zarr v2 arrays of u1, u2 or f4 through jzarr, windows read and written as float values. */
final class ZarrImages {

	private ZarrImages() {}

	static ZarrArray open(String path) {
		try {
			ZarrArray a = ZarrArray.open(path);
			if (a.getShape().length != 2) throw new IllegalArgumentException("the Zarr array " + path + " has shape "
				+ java.util.Arrays.toString(a.getShape()) + ": give a 2D (Y, X) array, one plane");
			DataType t = a.getDataType();
			if (t != DataType.u1 && t != DataType.u2 && t != DataType.f4) throw new IllegalArgumentException("the Zarr "
				+ "array " + path + " holds " + t + ": use u1 (8-bit), u2 (16-bit) or f4 (32-bit float)");
			return a;
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot open the Zarr array " + path + ": " + e.getMessage(), e);
		}
	}

	/** A new array (replacing none: an existing array of the same shape, chunks and type is reused for resuming). */
	static ZarrArray create(String path, int height, int width, int chunkH, int chunkW, DataType type) {
		try {
			try {
				ZarrArray a = ZarrArray.open(path);
				if (java.util.Arrays.equals(a.getShape(), new int[] {height, width}) && java.util.Arrays.equals(a.getChunks(),
					new int[] {chunkH, chunkW}) && a.getDataType() == type) return a;
				throw new IllegalArgumentException("the output " + path + " exists with another shape, chunking or type: "
					+ "remove it or choose another --output");
			}
			catch (IOException notThere) {
				return ZarrArray.create(path, new ArrayParams().shape(height, width).chunks(chunkH, chunkW).dataType(type)
					.compressor(CompressorFactory.create("zlib", "level", 1)));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot create the Zarr array " + path + ": " + e.getMessage(), e);
		}
	}

	/** The window [y, y + h) × [x, x + w) as row-major float values. */
	static float[] read(ZarrArray a, int y, int x, int h, int w) {
		try {
			Object data = a.read(new int[] {h, w}, new int[] {y, x});
			float[] out = new float[h * w];
			if (data instanceof byte[]) {
				byte[] b = (byte[]) data;
				for (int i = 0; i < out.length; i++) out[i] = a.getDataType() == DataType.u1 ? b[i] & 0xff : b[i];
			}
			else if (data instanceof short[]) {
				short[] s = (short[]) data;
				for (int i = 0; i < out.length; i++) out[i] = a.getDataType() == DataType.u2 ? s[i] & 0xffff : s[i];
			}
			else if (data instanceof int[]) {
				int[] s = (int[]) data;
				for (int i = 0; i < out.length; i++) out[i] = s[i];
			}
			else if (data instanceof float[]) System.arraycopy(data, 0, out, 0, out.length);
			else throw new IllegalStateException("unexpected Zarr data " + data.getClass());
			return out;
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read the Zarr array: " + e.getMessage(), e);
		}
		catch (ucar.ma2.InvalidRangeException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		}
	}

	/** Writes row-major values (already rounded and clamped for integer types) at [y, x]. */
	static void write(ZarrArray a, float[] v, int y, int x, int h, int w) {
		Object data;
		if (a.getDataType() == DataType.u1) {
			byte[] b = new byte[v.length];
			for (int i = 0; i < v.length; i++) b[i] = (byte) (int) v[i];
			data = b;
		}
		else if (a.getDataType() == DataType.u2) {
			short[] s = new short[v.length];
			for (int i = 0; i < v.length; i++) s[i] = (short) (int) v[i];
			data = s;
		}
		else data = v;
		try {
			a.write(data, new int[] {h, w}, new int[] {y, x});
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot write the Zarr array: " + e.getMessage(), e);
		}
		catch (ucar.ma2.InvalidRangeException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		}
	}

	/** Rounds and clamps a value into the type (integers: halves up, as the plugin's writers), NaN as the minimum. */
	static float toType(double v, DataType t) {
		if (t == DataType.f4) return (float) v;
		double max = t == DataType.u1 ? 255 : 65535;
		if (Double.isNaN(v)) return 0;
		return (float) Math.max(0, Math.min(max, Math.floor(v + 0.5)));
	}
}
