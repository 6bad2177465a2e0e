package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.stream.IntStream;

/**
 * Seeded standard normal noise computed on the Java heap, then copied to the device: the same seed
 * gives bit-identical noise on every device and JVM. Counter-based and immutable: value i of a
 * stream depends only on (seed, stream, i), so a sampler can be run again with the same result and
 * nothing depends on the order in which noise is requested.
 * <p>
 * Generator: word k of stream s is SplitMix64 (Steele et al. 2014, the {@code mix64} finaliser of
 * {@link java.util.SplittableRandom}) of {@code key_s + (k+1)·γ} with {@code key_s = mix64(seed + s·γ)},
 * γ = 0x9E3779B97F4A7C15. Values 2p and 2p+1 are the Box–Muller pair (Box &amp; Muller 1958) of words
 * 2p and 2p+1: u₁ = ((w₁ ≫ 11) + 1)·2⁻⁵³ ∈ (0, 1], u₂ = (w₂ ≫ 11)·2⁻⁵³, r = √(−2 ln u₁),
 * z = (r cos 2πu₂, r sin 2πu₂), in double with {@link StrictMath}, rounded to float.
 * <p>
 * Stream 0 is the initial latent x_T, drawn for the whole (untiled) latent in row-major order, so
 * tiling it afterwards does not change it; stream 1 holds the noise samplers add per step.
 */
public final class GaussianNoise {

	private static final long GAMMA = 0x9E3779B97F4A7C15L;
	private static final double TWO_POW_M53 = 0x1.0p-53;
	/** Values per parallel task; smaller requests are filled on the calling thread. */
	private static final int PARALLEL_CHUNK = 4096;

	private final long seed;

	public GaussianNoise(long seed) {
		this.seed = seed;
	}

	public long seed() {
		return seed;
	}

	/** x_T: stream 0, values 0 … size−1, as a float32 array of {@code shape} on the manager's device. */
	public NDArray initialNoise(NDManager manager, Shape shape) {
		return manager.create(values(0, 0, checkedSize(shape)), shape);
	}

	/** The noise z of sampler step {@code step} (0-based): stream 1, values step·size … (step+1)·size−1. */
	public NDArray stepNoise(NDManager manager, Shape shape, int step) {
		int size = checkedSize(shape);
		return manager.create(values(1, (long) step * size, size), shape);
	}

	/**
	 * Values {@code offset … offset+count−1} of stream {@code stream}. Each value depends on its index only, so
	 * large requests are filled in chunks on the common fork-join pool, with the same result.
	 */
	public float[] values(int stream, long offset, int count) {
		long key = mix64(seed + stream * GAMMA);
		float[] out = new float[count];
		int chunks = count < PARALLEL_CHUNK ? 1 : (count + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK;
		if (chunks == 1) fill(out, 0, count, key, offset);
		else IntStream.range(0, chunks).parallel().forEach(c -> fill(out, c * PARALLEL_CHUNK,
			Math.min(count, (c + 1) * PARALLEL_CHUNK), key, offset));
		return out;
	}

	/** out[from … to−1] = values offset+from … offset+to−1 of the stream with this key. */
	private static void fill(float[] out, int from, int to, long key, long offset) {
		int i = from;
		while (i < to) {
			long index = offset + i;
			long pair = index >>> 1;
			long w1 = mix64(key + (2 * pair + 1) * GAMMA); // word 2p
			long w2 = mix64(key + (2 * pair + 2) * GAMMA); // word 2p+1
			double r = StrictMath.sqrt(-2 * StrictMath.log(((w1 >>> 11) + 1) * TWO_POW_M53));
			double theta = 2 * StrictMath.PI * ((w2 >>> 11) * TWO_POW_M53);
			if ((index & 1) == 0) {
				out[i++] = (float) (r * StrictMath.cos(theta));
				if (i < to) out[i++] = (float) (r * StrictMath.sin(theta));
			} else {
				out[i++] = (float) (r * StrictMath.sin(theta));
			}
		}
	}

	private static int checkedSize(Shape shape) {
		long size = shape.size();
		if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("noise shape " + shape + " is too large for one array");
		return (int) size;
	}

	/** SplitMix64's finaliser (variant 13 of Stafford's mixers), as in {@link java.util.SplittableRandom}. */
	private static long mix64(long z) {
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}
}
