package org.ldmfiji.tiling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.Sampler;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

import java.io.IOException;
import java.nio.file.Files;

/**
 * The tiled sampling engine of one denoiser: a bundle, the task whose denoiser runs, and the tile settings. It lays
 * the tile grid over a latent, sizes an automatic batch from memory, and runs a sampler over a list of timesteps with
 * the denoiser fused from tiles at every step ({@link TiledDenoiser}; Rombach et al. 2022, Sec. 4.3.2; a grid that
 * shifts from step to step where the settings say so, SpotDiffusion). Large-image
 * sampling, super-resolution and inpainting of large regions all sample through it; a run that starts part-way
 * (SDEdit) passes a slice of the sampler's timesteps.
 */
public final class TiledSampler {

	private final ModelBundle bundle;
	private final String task;
	private final TileSettings tiles;

	/** @param tiles the tile layout in pixels; {@link TileSettings#defaults} for the model's defaults */
	public TiledSampler(ModelBundle bundle, String task, TileSettings tiles) {
		tiles.check(bundle.manifest(), task);
		this.bundle = bundle;
		this.task = task;
		this.tiles = tiles;
	}

	public TileSettings settings() {
		return tiles;
	}

	public ModelBundle bundle() {
		return bundle;
	}

	public String task() {
		return task;
	}

	/** The grid of denoiser tiles over a latent [N x c x h x w] (fitted to it where the settings say so). */
	public TileGrid grid(Shape latentShape) {
		return grid(bundle.manifest(), task, latentShape, tiles);
	}

	/** {@link #grid(Shape)} from the manifest alone (no bundle opened). */
	public static TileGrid grid(Manifest m, String task, Shape latentShape, TileSettings tiles) {
		Manifest.DenoiserSpec spec = m.denoiser(task);
		int f = m.autoencoder.factor;
		int h = (int) latentShape.get(2), w = (int) latentShape.get(3);
		if (h % spec.latentMultiple != 0 || w % spec.latentMultiple != 0) throw new IllegalArgumentException("latent "
			+ w + "x" + h + " must have sides that are multiples of " + spec.latentMultiple + " (the '" + task
			+ "' denoiser's latent_multiple): pad the image with tiling.Window.covering first");
		if (tiles.torus) return TileGrid.torus(w, h, tiles.tile / f, tiles.overlap / f, spec.latentMultiple, tiles.blend);
		return tiles.fit ? TileGrid.fitted(w, h, tiles.tile / f, tiles.overlap / f, spec.latentMultiple, tiles.blend, 0)
			: TileGrid.of(w, h, tiles.tile / f, tiles.overlap / f, spec.latentMultiple, tiles.blend);
	}

	/**
	 * This engine with its batch fixed: the memory estimate of a run over {@code latentShape} (a width × height
	 * output) checked against what is free (refused with a message when it would not fit), and an automatic batch
	 * resolved ({@link MemoryEstimate#autoBatch}).
	 */
	public TiledSampler resolved(Conditioning cond, Shape latentShape, int width, int height, NDManager manager) {
		MemoryEstimate e = estimate(cond, latentShape, width, height, manager);
		e.check(bundle.device(), "sampling " + width + "x" + height);
		return tiles.batch > 0 ? this : new TiledSampler(bundle, task, tiles.withBatch((int) e.batchTiles));
	}

	/**
	 * The denoiser of this engine over a latent of {@code latentShape}, fused from tiles at every call; an automatic
	 * batch not {@link #resolved} takes {@link #maxBatch} tiles (never one by one only because nothing was measured).
	 */
	public TiledDenoiser denoiser(Conditioning cond, Shape latentShape) {
		TileGrid grid = grid(latentShape);
		return TiledDenoiser.of(bundle, task, cond, grid, tiles.batch > 0 ? tiles.batch : maxBatch(grid), tiles.shift
			? bundle.manifest().denoiser(task).latentMultiple : 0);
	}

	/**
	 * Runs {@code sampler} over {@code timesteps} (its own list, or a slice of it for a run that starts part-way) from
	 * {@code x}, the latent at {@code timesteps[0]}, with the tiled denoiser.
	 *
	 * @param cond the full-latent conditioning (inputs [1 or N x C_i x h x w], sliced per tile)
	 * @return z_0, attached to the manager of {@code x}
	 */
	public NDArray sample(Sampler sampler, int[] timesteps, Conditioning cond, NDArray x, StepListener listener) {
		return sampler.sample(denoiser(cond, x.getShape()), x, timesteps, bundle.manifest().schedule, listener);
	}

	/**
	 * The most tiles an automatic batch takes: on a GPU up to 32; on the CPU as many as make a forward of about
	 * {@link #CPU_FORWARD_LATENT_PX} latent pixels, at least 2 and at most 8 (README "Speed of large images": a
	 * small tile's forward is dominated by its fixed cost, which a batch shares; for tiles of 112² a batch of 4 was
	 * slower per step than one of 2 or 1 on the 2-core machine).
	 */
	private int maxBatch(TileGrid grid) {
		TileGrid.Tile t = grid.tiles().get(0);
		long perForward = bundle.device().isGpu() ? 32 : Math.max(2, Math.min(8, CPU_FORWARD_LATENT_PX
			/ ((long) t.width * t.height)));
		return (int) Math.max(1, Math.min(grid.count(), perForward));
	}

	/** The latent pixels one forward on the CPU aims at when tiles are batched automatically. */
	public static final long CPU_FORWARD_LATENT_PX = 2L * 128 * 128;

	/**
	 * The memory estimate of a tiled run (see {@link MemoryEstimate}); one tile's activations are measured with one
	 * forward pass where the platform allows (Linux: peak resident growth), else estimated; the measurement is made
	 * once per tile shape and bundle (a warm second run does not repeat it). An automatic batch is the largest that
	 * fits in half of the free memory, at most {@link #maxBatch}.
	 */
	public MemoryEstimate estimate(Conditioning cond, Shape latentShape, int width, int height, NDManager manager) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(task);
		TileGrid grid = grid(latentShape);
		long n = latentShape.get(0);
		long latentPx = latentShape.get(2) * latentShape.get(3);
		long latentBytes = 4 * latentPx * n * (MemoryEstimate.LATENT_BUFFERS * m.autoencoder.latentChannels
			+ spec.inputChannels() - m.autoencoder.latentChannels);

		long modelBytes = 0;
		try {
			modelBytes += Files.size(m.folder.resolve(spec.file.file));
			if (spec.context != null) modelBytes += Files.size(m.folder.resolve(spec.context.encoder.file));
			modelBytes += Files.size(m.folder.resolve(m.autoencoder.encoder.file));
			modelBytes += Files.size(m.folder.resolve(m.autoencoder.decoder.file));
		}
		catch (IOException e) {
			throw new IllegalStateException("cannot read the model files of " + m.folder + ": " + e.getMessage(), e);
		}
		TileGrid.Tile first = grid.tiles().get(0);
		long tileBytes = bundle.memo("tile bytes " + task + " " + n + "x" + first.width + "x" + first.height + " "
			+ cond.guided(), () -> measureTile(spec, cond, n, first.width, first.height, manager));
		int f = m.autoencoder.factor;
		int aeTile = Math.min(tiles.autoencoderTile / f, (int) Math.max(latentShape.get(2), latentShape.get(3)));
		long aeBytes = bundle.memo("decoder bytes " + aeTile + " " + tiles.autoencoderBatch,
			() -> measureDecoder(aeTile, tiles.autoencoderBatch, manager));
		long heapBytes = 2L * 4 * m.imageChannels * width * height * n;
		long available = NativeMemory.availableBytes(bundle.device());
		int batch = tiles.batch > 0 ? tiles.batch : MemoryEstimate.autoBatch(available, modelBytes, latentBytes, tileBytes,
			maxBatch(grid));
		return new MemoryEstimate(modelBytes, latentBytes, tileBytes, batch, aeBytes, heapBytes);
	}

	/**
	 * One tile's activations (both guidance branches): the peak memory growth of one forward pass, but at least
	 * {@link MemoryEstimate#FALLBACK_TILE_BYTES_PER_LATENT_PX} per latent pixel (a warm allocator hides growth).
	 */
	private long measureTile(Manifest.DenoiserSpec spec, Conditioning cond, long n, int w, int h, NDManager manager) {
		long fallback = MemoryEstimate.FALLBACK_TILE_BYTES_PER_LATENT_PX * w * h * n * (cond.guided() ? 2 : 1);
		if (bundle.device().isGpu()) return fallback;
		long measured;
		try (NDManager scope = manager.newSubManager()) {
			Conditioning c = new Conditioning();
			for (var in : spec.inputs)
				if (!in.name.equals(Manifest.InputSpec.NOISY_LATENT))
					c.input(in.name, scope.zeros(new Shape(n, in.channels, h, w)));
			if (cond.context() != null) c.context(cond.context(), cond.nullContext(), cond.guidance());
			ModelDenoiser d = new ModelDenoiser(bundle.denoiser(spec.task), spec, bundle.manifest().schedule, c);
			NDArray x = scope.zeros(new Shape(n, bundle.manifest().autoencoder.latentChannels, h, w));
			measured = NativeMemory.peakGrowthDuring(() -> d.eps(x, 0).toFloatArray());
		}
		// a warm allocator reuses memory and hides growth: the measurement only ever raises the per-pixel floor
		return Math.max(measured, fallback);
	}

	/** One autoencoder batch: peak growth of a 32-latent-px decode scaled by area, at least the per-pixel floor. */
	private long measureDecoder(int tile, int batch, NDManager manager) {
		int probe = Math.min(tile, 32);
		double scale = (double) tile * tile / (probe * probe) * batch;
		long fallback = (long) (MemoryEstimate.FALLBACK_TILE_BYTES_PER_LATENT_PX * probe * probe * scale);
		if (bundle.device().isGpu()) return fallback;
		long measured;
		try (NDManager scope = manager.newSubManager()) {
			NDArray z = scope.zeros(new Shape(1, bundle.manifest().autoencoder.latentChannels, probe, probe), DataType.FLOAT32);
			measured = NativeMemory.peakGrowthDuring(() -> bundle.decode(z).toFloatArray());
		}
		return Math.max((long) (measured * scale), fallback);
	}
}
