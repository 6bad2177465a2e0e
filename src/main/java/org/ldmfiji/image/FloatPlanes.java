package org.ldmfiji.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A C x H x W float image on the Java heap, stored channel-major (CHW, x fastest): the exchange
 * format between images and tensors. Element (c, y, x) is at {@code data[(c·H + y)·W + x]}, the
 * layout of one item of an NCHW tensor, so conversion to and from DJL is a single copy.
 * <p>
 * The array is owned by this object and exposed for speed; the class does not copy it.
 */
public final class FloatPlanes {

	private final int channels;
	private final int height;
	private final int width;
	private final float[] data;

	/** Wraps {@code data} (not copied), which must hold exactly {@code channels·height·width} values in CHW order. */
	public FloatPlanes(int channels, int height, int width, float[] data) {
		long n = checkedSize(channels, height, width);
		if (data.length != n) {
			throw new IllegalArgumentException("CHW data for " + channels + " x " + height + " x " + width
				+ " needs " + n + " values, got " + data.length);
		}
		this.channels = channels;
		this.height = height;
		this.width = width;
		this.data = data;
	}

	/** A zero-filled C x H x W image. */
	public static FloatPlanes zeros(int channels, int height, int width) {
		return new FloatPlanes(channels, height, width, new float[(int) checkedSize(channels, height, width)]);
	}

	private static long checkedSize(int channels, int height, int width) {
		if (channels < 1 || height < 1 || width < 1) {
			throw new IllegalArgumentException("image size must be positive, got C x H x W = "
				+ channels + " x " + height + " x " + width);
		}
		long n = (long) channels * height * width;
		if (n > Integer.MAX_VALUE - 8) {
			throw new IllegalArgumentException(channels + " x " + height + " x " + width + " = " + n
				+ " values do not fit in one Java array: process the image in tiles");
		}
		return n;
	}

	public int channels() {
		return channels;
	}

	public int height() {
		return height;
	}

	public int width() {
		return width;
	}

	/** Values per channel plane, H·W. */
	public int planeSize() {
		return height * width;
	}

	/** The backing CHW array (not a copy). */
	public float[] data() {
		return data;
	}

	public float get(int c, int y, int x) {
		return data[(c * height + y) * width + x];
	}

	public void set(int c, int y, int x, float value) {
		data[(c * height + y) * width + x] = value;
	}

	/** A copy of channel {@code c} as a one-channel image. */
	public FloatPlanes channel(int c) {
		if (c < 0 || c >= channels) {
			throw new IndexOutOfBoundsException("channel " + c + " of a " + channels + "-channel image");
		}
		int n = planeSize();
		return new FloatPlanes(1, height, width, Arrays.copyOfRange(data, c * n, (c + 1) * n));
	}

	/** The top-left {@code height} × {@code width} part, all channels (a copy). */
	public FloatPlanes crop(int height, int width) {
		if (height > this.height || width > this.width) throw new IllegalArgumentException("cannot crop " + this.width
			+ "x" + this.height + " to " + width + "x" + height);
		FloatPlanes out = zeros(channels, height, width);
		for (int c = 0; c < channels; c++)
			for (int y = 0; y < height; y++)
				System.arraycopy(data, (c * this.height + y) * this.width, out.data, (c * height + y) * width, width);
		return out;
	}

	/** A deep copy. */
	public FloatPlanes copy() {
		return new FloatPlanes(channels, height, width, data.clone());
	}

	/** Concatenates images of the same height and width along the channel axis. */
	public static FloatPlanes concatChannels(List<FloatPlanes> parts) {
		if (parts.isEmpty()) throw new IllegalArgumentException("nothing to concatenate");
		FloatPlanes first = parts.get(0);
		int c = 0;
		for (FloatPlanes p : parts) {
			first.requireSameSize(p);
			c += p.channels;
		}
		float[] out = new float[(int) checkedSize(c, first.height, first.width)];
		int offset = 0;
		for (FloatPlanes p : parts) {
			System.arraycopy(p.data, 0, out, offset, p.data.length);
			offset += p.data.length;
		}
		return new FloatPlanes(c, first.height, first.width, out);
	}

	/** Throws unless {@code other} has this image's height and width. */
	public void requireSameSize(FloatPlanes other) {
		if (other.height != height || other.width != width) {
			throw new IllegalArgumentException("image sizes differ: " + width + " x " + height + " and "
				+ other.width + " x " + other.height + " (W x H)");
		}
	}

	// ---- NaN / infinity ----

	/** Number of NaN values. */
	public long countNaN() {
		long n = 0;
		for (float v : data) if (v != v) n++;
		return n;
	}

	/**
	 * Refuses infinite values, which no normalisation or network can handle (NaN is no data, {@link NoData}): the
	 * message names the image, the count and the first position, and how to fix it in ImageJ.
	 *
	 * @param imageName used in the message (e.g. the ImagePlus title)
	 * @return this image, for chaining
	 */
	public FloatPlanes requireNoInfinity(String imageName) {
		long inf = 0;
		int first = -1;
		for (int i = 0; i < data.length; i++) {
			if (!Float.isInfinite(data[i])) continue;
			inf++;
			if (first < 0) first = i;
		}
		if (first < 0) return this;
		int n = planeSize();
		int c = first / n, y = (first % n) / width, x = first % width;
		StringBuilder sb = new StringBuilder("image '").append(imageName).append("' has ").append(inf)
			.append(" infinite pixel").append(inf == 1 ? "" : "s").append(" (first at x=").append(x).append(", y=").append(y);
		if (channels > 1) sb.append(", channel ").append(c + 1);
		sb.append("): replace them first, e.g. with Process > Math > Set... or NaN (no data, kept as NaN)");
		throw new IllegalArgumentException(sb.toString());
	}

	// ---- DJL ----

	/** This image as a float32 tensor [1, C, H, W] on {@code manager}'s device (one copy). */
	public NDArray toNDArray(NDManager manager) {
		return manager.create(data, new Shape(1, channels, height, width));
	}

	/** A batch of images with equal C, H and W as one float32 tensor [N, C, H, W] (one copy). */
	public static NDArray toNDArray(NDManager manager, List<FloatPlanes> batch) {
		if (batch.isEmpty()) throw new IllegalArgumentException("empty batch");
		FloatPlanes first = batch.get(0);
		long total = (long) first.data.length * batch.size();
		if (total > Integer.MAX_VALUE - 8) {
			throw new IllegalArgumentException("a batch of " + batch.size() + " images of " + first.data.length
				+ " values does not fit in one Java array: use smaller batches");
		}
		float[] all = new float[(int) total];
		for (int i = 0; i < batch.size(); i++) {
			FloatPlanes p = batch.get(i);
			if (p.channels != first.channels) {
				throw new IllegalArgumentException("batch items differ in channels: " + first.channels + " and " + p.channels);
			}
			first.requireSameSize(p);
			System.arraycopy(p.data, 0, all, i * first.data.length, first.data.length);
		}
		return manager.create(all, new Shape(batch.size(), first.channels, first.height, first.width));
	}

	/**
	 * Copies a tensor [1, C, H, W] or [C, H, W] to the Java heap (from any device; other numeric
	 * types are converted to float32). The tensor is not closed.
	 */
	public static FloatPlanes of(NDArray array) {
		Shape s = array.getShape();
		if (s.dimension() == 4 && s.get(0) != 1) {
			throw new IllegalArgumentException("expected one image [1, C, H, W], got a batch " + s
				+ ": use FloatPlanes.listOf");
		}
		if (s.dimension() != 3 && s.dimension() != 4) {
			throw new IllegalArgumentException("expected a tensor [1, C, H, W] or [C, H, W], got " + s);
		}
		int d = s.dimension();
		return new FloatPlanes(toInt(s.get(d - 3)), toInt(s.get(d - 2)), toInt(s.get(d - 1)), floats(array));
	}

	/** Copies a batch tensor [N, C, H, W] to N images on the Java heap. The tensor is not closed. */
	public static List<FloatPlanes> listOf(NDArray array) {
		Shape s = array.getShape();
		if (s.dimension() != 4) throw new IllegalArgumentException("expected a batch [N, C, H, W], got " + s);
		int n = toInt(s.get(0)), c = toInt(s.get(1)), h = toInt(s.get(2)), w = toInt(s.get(3));
		float[] all = floats(array);
		int size = c * h * w;
		List<FloatPlanes> out = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			out.add(new FloatPlanes(c, h, w, Arrays.copyOfRange(all, i * size, (i + 1) * size)));
		}
		return out;
	}

	private static float[] floats(NDArray array) {
		if (array.getDataType() == DataType.FLOAT32) return array.toFloatArray();
		try (NDArray f = array.toType(DataType.FLOAT32, false)) {
			return f.toFloatArray();
		}
	}

	private static int toInt(long v) {
		if (v < 1 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor side out of range: " + v);
		return (int) v;
	}

	@Override
	public String toString() {
		return "FloatPlanes[" + channels + " x " + height + " x " + width + "]";
	}
}
