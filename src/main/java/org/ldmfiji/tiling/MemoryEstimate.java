package org.ldmfiji.tiling;

import ai.djl.Device;

import org.ldmfiji.model.BundleCache;

import java.util.Locale;

/**
 * The memory a tiled run needs, in bytes, split by what grows with what: the models (fixed), the latent-sized
 * buffers (grow with the image, ∝ its area / f²), one batch of denoiser tiles and one autoencoder tile (fixed for a
 * tile size), and the output on the Java heap (grows with the image). {@link #check} compares it with what the
 * device and the JVM have free and refuses with a message that says how to make it fit.
 */
public final class MemoryEstimate {

	/**
	 * Latent-sized arrays alive at once during sampling: x_T, the sampler's x and (DPM-Solver++) its previous x̂_0,
	 * the step's x̂_0, D, next and the scaled copies the step ops create (4), the fused ε̂ accumulator and one
	 * accumulate temporary.
	 */
	public static final int LATENT_BUFFERS = 10;

	/**
	 * Activation bytes per latent pixel per tile assumed at least (and where nothing can be measured): generous for
	 * small U-Nets like the demo's, an underestimate for CompVis-size ones (hundreds of millions of parameters), whose
	 * activations the one-forward measurement then supplies on Linux.
	 */
	public static final long FALLBACK_TILE_BYTES_PER_LATENT_PX = 64 * 1024;

	public final long modelBytes, latentBytes, tileBytes, batchTiles, autoencoderBytes, heapBytes;

	/**
	 * @param modelBytes the loaded parts (their file sizes)
	 * @param latentBytes all latent-sized buffers together
	 * @param tileBytes one denoiser tile's activations (both guidance branches)
	 * @param batchTiles tiles per batch
	 * @param autoencoderBytes one autoencoder tile batch's activations
	 * @param heapBytes the output and its copies on the Java heap
	 */
	public MemoryEstimate(long modelBytes, long latentBytes, long tileBytes, long batchTiles, long autoencoderBytes,
		long heapBytes)
	{
		this.modelBytes = modelBytes;
		this.latentBytes = latentBytes;
		this.tileBytes = tileBytes;
		this.batchTiles = batchTiles;
		this.autoencoderBytes = autoencoderBytes;
		this.heapBytes = heapBytes;
	}

	/** Native (device) bytes: models, latent buffers, and the larger of a denoiser batch and an autoencoder batch. */
	public long nativeBytes() {
		return modelBytes + latentBytes + Math.max(tileBytes * batchTiles, autoencoderBytes);
	}

	/**
	 * The batch for an automatic setting: {@code max} tiles per forward, halved only while they would not fit in half
	 * of what is left of {@code available} after the models and latent buffers. A batched forward is not bit-identical
	 * to single ones, so the batch must not follow the free memory, which changes from run to run (and a tile's
	 * measured working set with it): with enough memory it is always {@code max}, and a machine short of memory takes
	 * one of the few halvings (unknown free memory: 1), recorded in the run's provenance with the tile settings.
	 */
	public static int autoBatch(long available, long modelBytes, long latentBytes, long tileBytes, int max) {
		int batch = Math.max(1, max);
		if (available <= 0 || tileBytes <= 0) return 1;
		long free = (available - modelBytes - latentBytes) / 2;
		while (batch > 1 && batch * tileBytes > free) batch = (batch + 1) / 2;
		return batch;
	}

	/**
	 * Refuses when the run would not fit: native memory on {@code device} (unknown availability is not checked; short
	 * of it, the models kept loaded for later commands are released first, {@link BundleCache#releaseIdle}) and the
	 * Java heap.
	 *
	 * @param what the run, for the message (e.g. "sampling 8192x8192")
	 */
	public void check(Device device, String what) {
		long available = NativeMemory.availableBytes(device);
		if (available > 0 && nativeBytes() > available && BundleCache.shared().releaseIdle() > 0)
			available = NativeMemory.availableBytes(device); // models kept loaded for later commands gave way
		if (available > 0 && nativeBytes() > available) {
			throw new IllegalStateException(String.format(Locale.ROOT, "%s needs about %s of %s memory (models %s, "
				+ "latent buffers %s, %d tile(s) per batch %s, autoencoder tile %s) but only %s is free: choose a smaller "
				+ "tile or overlap, a tile batch of 1, or a smaller output", what, gib(nativeBytes()), device.isGpu() ? "GPU"
					: "native", gib(modelBytes), gib(latentBytes), batchTiles, gib(tileBytes * batchTiles),
				gib(autoencoderBytes), gib(available)));
		}
		Runtime rt = Runtime.getRuntime();
		long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		if (heapBytes > heapFree) {
			throw new IllegalStateException(String.format(Locale.ROOT, "%s needs about %s of Java heap for the output "
				+ "image but only %s is free: raise the maximum heap (Fiji: Edit > Options > Memory & Threads; ./ldm: "
				+ "LDM_HEAP=16g) or choose a smaller output", what, gib(heapBytes), gib(heapFree)));
		}
	}

	static String gib(long bytes) {
		if (bytes < (1L << 30)) return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
		return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "native %s (models %s, latent buffers %s, %d x tile %s, autoencoder %s), heap %s",
			gib(nativeBytes()), gib(modelBytes), gib(latentBytes), batchTiles, gib(tileBytes), gib(autoencoderBytes),
			gib(heapBytes));
	}
}
