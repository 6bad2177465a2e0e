package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.Sampler;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.MemoryEstimate;
import org.ldmfiji.tiling.NativeMemory;
import org.ldmfiji.tiling.TileGrid;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledAutoencoder;
import org.ldmfiji.tiling.TiledDenoiser;
import org.ldmfiji.tiling.Window;


import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Sampling images of any size with the bundle's label-conditioned {@code unconditional} denoiser, run
 * convolutionally (Rombach et al. 2022, Sec. 4.3.2): x_T for the whole latent from the seed, at every step the
 * ε̂ of overlapping native-size tiles fused with normalised windows ({@link TiledDenoiser}), one sampler step on the
 * whole latent, then a tiled decode ({@link TiledAutoencoder}). Memory beyond the latent and the output is that of
 * one tile batch; {@link #estimate} says how much, and {@link #run} refuses up front when it would not fit.
 * <p>
 * {@link #sampleLatent} is the same engine for any task's conditioned denoiser (super-resolution and inpainting of
 * large regions): give it the full-latent conditioning and it slices the inputs per tile.
 */
public final class LargeImageSampling {

	public static final String TASK = "unconditional";

	private final ModelBundle bundle;
	private final SamplingSettings settings;
	private final TileSettings tiles;

	/** @param tiles the tile layout; {@link TileSettings#defaults} for the model's native size */
	public LargeImageSampling(ModelBundle bundle, SamplingSettings settings, TileSettings tiles) {
		this.bundle = bundle;
		this.settings = settings;
		this.tiles = tiles;
		tiles.check(bundle.manifest(), TASK);
	}

	/**
	 * @param label one of the manifest's labels (null: the null label)
	 * @param guidance the classifier-free guidance scale w (1: no guidance)
	 * @return C × height × width in the model's range
	 */
	public FloatPlanes run(int width, int height, String label, double guidance, StepListener listener) {
		Shape latent = latentShape(width, height);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = labelConditioning(bundle, label, guidance, settings, manager);
			TileSettings resolved = resolve(bundle, TASK, cond, latent, width, height, tiles, manager);
			NDArray z0 = sampleLatent(bundle, TASK, cond, latent, settings, resolved, listener, manager);
			return TiledAutoencoder.of(bundle, resolved).decode(z0, width, height).get(0);
		}
	}

	/**
	 * The same run with the image handed over block by block: after sampling, each block (an interval of the
	 * width × height image, min ≥ 0) is decoded on its own from the tiles that reach it ({@link
	 * TiledAutoencoder#decodeRegion}, the values of the whole decode) and given to {@code sink} as C × block in the
	 * model's range, so the image never exists as one array.
	 */
	public void run(int width, int height, String label, double guidance, List<Window> blocks,
		BiConsumer<Window, FloatPlanes> sink, StepListener listener)
	{
		Shape latent = latentShape(width, height);
		for (Window b : blocks)
			if (b.x < 0 || b.y < 0 || b.x + (long) b.width > width || b.y + (long) b.height > height)
				throw new IllegalArgumentException("block " + b + " lies outside the " + width + "x" + height + " image");
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = labelConditioning(bundle, label, guidance, settings, manager);
			TileSettings resolved = resolve(bundle, TASK, cond, latent, width, height, tiles, manager);
			NDArray z0 = sampleLatent(bundle, TASK, cond, latent, settings, resolved, listener, manager);
			TiledAutoencoder decoder = TiledAutoencoder.of(bundle, resolved);
			for (Window b : blocks) sink.accept(b, decoder.decodeRegion(z0, 0, b.x, b.y, b.width, b.height));
		}
	}

	/** The latent of a width × height image, padded to the denoiser's grid (f · latent_multiple pixels). */
	private Shape latentShape(int width, int height) {
		Manifest m = bundle.manifest();
		int f = m.autoencoder.factor;
		Window win = Window.covering(width, height, f * m.denoiser(TASK).latentMultiple);
		return new Shape(1, m.autoencoder.latentChannels, win.height / f, win.width / f);
	}

	/** The estimate {@link #run} checks before it starts (measures one tile's activations where it can). */
	public MemoryEstimate estimate(int width, int height, double guidance) {
		Shape latent = latentShape(width, height);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = labelConditioning(bundle, null, guidance, settings, manager);
			return estimate(bundle, TASK, cond, latent, width, height, tiles, manager);
		}
	}

	/**
	 * The reverse process over a latent of any size with {@code task}'s denoiser run in tiles.
	 *
	 * @param conditioning the full-latent conditioning (inputs [1 or N x C_i x h x w], sliced per tile)
	 * @param latentShape [N x c x h x w]; h and w multiples of the denoiser's latent_multiple
	 * @param tiles tile size and overlap in pixels (the latent tile is tile / f); a batch of 0 means 1 here
	 * @return z_0, attached to {@code manager}
	 */
	public static NDArray sampleLatent(ModelBundle bundle, String task, Conditioning conditioning, Shape latentShape,
		SamplingSettings settings, TileSettings tiles, StepListener listener, NDManager manager)
	{
		return sampleLatent(bundle, task, conditioning, latentShape, settings, tiles, null, 1, listener, manager);
	}

	/**
	 * The same, started from a first guess (SDEdit, Meng et al. 2022, Sec. 3): {@code guess} diffused to the first
	 * timestep t0 at or below strength·T, x_t0 = √ᾱ_t0·guess + √(1 − ᾱ_t0)·ε (DDPM eq. 4, ε the seed's initial
	 * noise), then only the sampler's timesteps up to t0. Strength 1 with no guess is the plain run above.
	 *
	 * @param guess the first guess's latent [1 or N x c x h x w] (scaled like the denoiser's latents), or null
	 * @param strength in (0, 1]: the share of the schedule that is run from the guess
	 */
	public static NDArray sampleLatent(ModelBundle bundle, String task, Conditioning conditioning, Shape latentShape,
		SamplingSettings settings, TileSettings tiles, NDArray guess, double strength, StepListener listener,
		NDManager manager)
	{
		Manifest m = bundle.manifest();
		tiles.check(m, task);
		TileGrid grid = latentGrid(m, task, latentShape, tiles);
		TiledDenoiser denoiser = TiledDenoiser.of(bundle, task, conditioning, grid, Math.max(1, tiles.batch));
		GaussianNoise noise = new GaussianNoise(settings.seed);
		Sampler sampler = settings.newSampler(noise, maxTimestep(strength, m.schedule.timesteps(), guess != null));
		try (NDArray xT = noise.initialNoise(manager, latentShape)) {
			if (guess == null) return sampler.sample(denoiser, xT, m.schedule, listener);
			double a = m.schedule.alphaBar(sampler.timesteps(m.schedule)[0]);
			try (NDArray scaledGuess = guess.mul((float) Math.sqrt(a)); NDArray start = xT.mul((float) Math.sqrt(1 - a))) {
				return sampler.sample(denoiser, start.addi(scaledGuess), m.schedule, listener);
			}
		}
	}

	/** The last timestep a run of {@code strength} may start at: strength·T, rounded. */
	public static int maxTimestep(double strength, int timesteps, boolean hasGuess) {
		if (!(strength > 0 && strength <= 1)) throw new IllegalArgumentException("strength must be in (0, 1], got "
			+ strength + ": 1 samples from pure noise, smaller values stay closer to the first guess");
		if (strength < 1 && !hasGuess) throw new IllegalArgumentException("strength " + strength + " needs a first guess "
			+ "to start from");
		return strength == 1 ? Integer.MAX_VALUE : (int) Math.round(strength * timesteps);
	}

	/** The grid of denoiser tiles over a latent [N x c x h x w]. */
	public static TileGrid latentGrid(Manifest m, String task, Shape latentShape, TileSettings tiles) {
		Manifest.DenoiserSpec spec = m.denoiser(task);
		int f = m.autoencoder.factor;
		int h = (int) latentShape.get(2), w = (int) latentShape.get(3);
		if (h % spec.latentMultiple != 0 || w % spec.latentMultiple != 0) throw new IllegalArgumentException("latent "
			+ w + "x" + h + " must have sides that are multiples of " + spec.latentMultiple + " (the '" + task
			+ "' denoiser's latent_multiple): pad the image with tiling.Window.covering first");
		return TileGrid.of(w, h, tiles.tile / f, tiles.overlap / f, spec.latentMultiple, tiles.blend);
	}

	/**
	 * Estimates the memory of a tiled run, refuses when it would not fit, and fixes an automatic batch size: the
	 * settings to run with.
	 */
	public static TileSettings resolve(ModelBundle bundle, String task, Conditioning cond, Shape latentShape, int width,
		int height, TileSettings tiles, NDManager manager)
	{
		MemoryEstimate e = estimate(bundle, task, cond, latentShape, width, height, tiles, manager);
		e.check(bundle.device(), "sampling " + width + "x" + height);
		return tiles.batch > 0 ? tiles : tiles.withBatch((int) e.batchTiles);
	}

	/**
	 * The memory estimate of a tiled run (see {@link MemoryEstimate}); one tile's activations are measured with one
	 * forward pass where the platform allows (Linux: peak resident growth), else estimated. An automatic batch is
	 * the largest that fits in half of the free memory, at most 8 on the CPU and 32 on a GPU.
	 */
	public static MemoryEstimate estimate(ModelBundle bundle, String task, Conditioning cond, Shape latentShape, int width,
		int height, TileSettings tiles, NDManager manager)
	{
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(task);
		tiles.check(m, task);
		TileGrid grid = latentGrid(m, task, latentShape, tiles);
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
		long tileBytes = measureTile(bundle, spec, cond, n, first.width, first.height, manager);
		int f = m.autoencoder.factor;
		int aeTile = Math.min(tiles.autoencoderTile / f, (int) Math.max(latentShape.get(2), latentShape.get(3)));
		long aeBytes = measureDecoder(bundle, aeTile, tiles.autoencoderBatch, manager);
		long heapBytes = 2L * 4 * m.imageChannels * width * height * n;
		long available = NativeMemory.availableBytes(bundle.device());
		int batch = tiles.batch > 0 ? tiles.batch : MemoryEstimate.autoBatch(available, modelBytes, latentBytes, tileBytes,
			Math.min(grid.count(), bundle.device().isGpu() ? 32 : 8));
		return new MemoryEstimate(modelBytes, latentBytes, tileBytes, batch, aeBytes, heapBytes);
	}

	/**
	 * One tile's activations (both guidance branches): the peak memory growth of one forward pass, but at least
	 * {@link MemoryEstimate#FALLBACK_TILE_BYTES_PER_LATENT_PX} per latent pixel (a warm allocator hides growth).
	 */
	private static long measureTile(ModelBundle bundle, Manifest.DenoiserSpec spec, Conditioning cond, long n, int w,
		int h, NDManager manager)
	{
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
	private static long measureDecoder(ModelBundle bundle, int tile, int batch, NDManager manager) {
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

	/**
	 * The label a run uses: {@code label} itself, or for null or blank the model's first label that is not its null
	 * label (the default of {@link OptionTable#LABEL}); null for a model without labels.
	 */
	public static String labelOrDefault(Manifest.DenoiserSpec spec, String label) {
		if (label != null && !label.isBlank()) return label.trim();
		if (spec.context == null) return null;
		return spec.context.labels.stream().filter(l -> !l.equals(spec.context.nullLabel)).findFirst().orElse(null);
	}

	/**
	 * The context of {@code label} (null: the null label) and the null context, for classifier-free guidance; for a
	 * model that takes text, the context of the settings' prompt and negative prompt ({@link TextConditioning}).
	 */
	static Conditioning labelConditioning(ModelBundle bundle, String label, double guidance, SamplingSettings settings,
		NDManager manager)
	{
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser(TASK);
		Conditioning cond = new Conditioning();
		if (spec.context == null || spec.context.takesText())
			return TextConditioning.add(cond, bundle, TASK, settings, guidance, manager);
		String nullLabel = spec.context.nullLabel;
		String chosen = label == null ? nullLabel : label;
		if (chosen == null) throw new IllegalArgumentException("choose a label: " + spec.context.labels);
		NDArray ctx = bundle.context(TASK, new int[] {spec.context.index(chosen)}, manager);
		NDArray nullCtx = nullLabel == null ? null : bundle.context(TASK, new int[] {spec.context.index(nullLabel)}, manager);
		return cond.context(ctx, nullCtx, guidance);
	}
}
