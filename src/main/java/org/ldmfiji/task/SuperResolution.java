package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledAutoencoder;
import org.ldmfiji.tiling.Window;

import java.util.List;

/**
 * LDM super-resolution (Rombach et al. 2022, Sec. 4.4): the low-resolution image, at the latent grid's size, is
 * concatenated with z_t; the denoised latent decodes to an image f times larger. The input is padded by mirroring
 * to the latent multiple and the output cropped back, so any size gives exactly f× the input; inputs larger than a
 * tile run convolutionally in latent tiles fused at every step (task/LargeImageSampling).
 */
public final class SuperResolution {

	public static final String TASK = "superres";

	private final ModelBundle bundle;
	private final SamplingSettings settings;

	public SuperResolution(ModelBundle bundle, SamplingSettings settings) {
		this.bundle = bundle;
		this.settings = settings;
		bundle.manifest().denoiser(TASK);
	}

	/**
	 * A tile the user gave must be a multiple of the model's latent_multiple and at least two of them; 0 (the automatic
	 * tile, {@link #autoTile}) is valid by construction. Needs only the manifest: a command checks it before loading.
	 */
	public static void requireTile(Manifest m, int tile) {
		int multiple = m.denoiser(TASK).latentMultiple;
		if (tile > 0 && (tile % multiple != 0 || tile < 2 * multiple)) throw new IllegalArgumentException("tile size "
			+ tile + " must be a multiple of " + multiple + " (model '" + m.name + "''s latent_multiple) and at least "
			+ 2 * multiple);
	}

	/**
	 * Java heap that super-resolving one plane into {@code outPixels} output pixels of {@code channels} channels takes
	 * at its peak, besides the source and the stored result: the float samples, their mean and the consistency's
	 * weights ({@link SpreadWeight}; 4 bytes a pixel and channel each, and one more working copy), and
	 * {@link BorderSmoothing}'s conjugate-gradient vectors in double (about eight planes of one channel at a time).
	 * Measured before the weights: a 256² 8-bit plane (1024² result, 8 samples) ran in a 160 MiB heap with at most
	 * 130 MiB live after a collection (about 20 MiB of it the JVM's and ImageJ's own); this gives 108 MiB.
	 */
	public static long workingBytes(long outPixels, int channels, int samples) {
		return outPixels * (4L * channels * (samples + 3) + 8L * 8);
	}

	/** The scale factor: the autoencoder's f, since the latent has the low-resolution image's size. */
	public int factor() {
		return bundle.manifest().autoencoder.factor;
	}

	/**
	 * @param low C × H × W in the model's range
	 * @param consistency back-project so that the result, area-downsampled by f, reproduces {@code low}
	 * @return C × fH × fW in the model's range
	 */
	public FloatPlanes run(FloatPlanes low, boolean consistency, StepListener listener) {
		return run(low, 1, 0, consistency, listener).get(0);
	}

	/**
	 * Super-resolves {@code low} into {@code samples} independent results.
	 *
	 * @param low C × H × W in the model's range, C the model's image channels
	 * @param tile side of the input tiles in pixels (0: {@link #autoTile()}, overlapping by a quarter); an image that
	 *             fits one tile is one window
	 * @param consistency back-project each result so that, area-downsampled by f, it reproduces {@code low}; before
	 *                    that, the decoded results are kept within the image range's bottom and the output type's
	 *                    top ({@link #keepStorable}), and the residual's impulses go into their own blocks
	 *                    ({@link ImpulseResidual}); the correction goes where the samples disagree
	 *                    ({@link SpreadWeight}). Input values beyond the image range (outliers that a percentile
	 *                    normalisation leaves) are not shown to the model: it sees them clamped, and their excess is
	 *                    added back within its block, a bright one in the result's shape ({@link OutOfRange}).
	 *                    Several samples have their detail shrunk toward the smooth interpolation where they disagree
	 *                    about it ({@link SpreadShrinkage}), so their mean is the estimate the default run returns;
	 *                    the steps it leaves across the f × f block borders are smoothed ({@link BorderSmoothing})
	 * @param listener reports steps {@code 1 ... steps} (the tiles are fused at every step)
	 * @return per sample C × fH × fW in the model's range
	 */
	public List<FloatPlanes> run(FloatPlanes low, int samples, int tile, boolean consistency, StepListener listener) {
		return run(low, samples, tile, consistency, StorableRange.unbounded(low.channels()), null, listener);
	}

	/**
	 * The same for a result that will be stored in {@code storable} (an integer type): with consistency, the samples'
	 * mean is consistent within it ({@link BorderSmoothing#apply}), so writing it keeps the consistency.
	 * {@code smooth} (C × H × W in [0, 1], or null) is how smooth an integer input is at the scale of one level
	 * ({@link Dequantisation#ofType}): the samples' mean keeps none of their detail where it is 1
	 * ({@link SpreadShrinkage}).
	 */
	public List<FloatPlanes> run(FloatPlanes low, int samples, int tile, boolean consistency, StorableRange storable,
		FloatPlanes smooth, StepListener listener)
	{
		Manifest m = bundle.manifest();
		if (low.width() < minSide() || low.height() < minSide()) throw new IllegalArgumentException("the image is "
			+ low.width() + "x" + low.height() + " px; model '" + m.name + "' super-resolves images of at least "
			+ minSide() + "x" + minSide() + " px (its latent_multiple)");
		if (samples < 1) throw new IllegalArgumentException("samples must be at least 1, got " + samples);
		requireTile(m, tile);
		OutOfRange split = OutOfRange.split(low, m.imageRange);
		List<FloatPlanes> high = sample(split.inRange, samples, tile, listener);
		for (FloatPlanes x : high) keepStorable(x, m.imageRange[0], storable);
		FloatPlanes weight = consistency ? SpreadWeight.of(high) : null;
		if (consistency)
			for (FloatPlanes x : high) {
				ImpulseResidual.putBack(x, split.inRange, m.autoencoder.factor);
				Consistency.enforce(x, split.inRange, m.autoencoder.factor, weight);
			}
		SpreadShrinkage.apply(high, split.inRange, m.autoencoder.factor, consistency, weight, smooth);
		// with the bright excess (a star's borders are smoothed with the rest), without the dark one (a block of missing
		// data stays the block it is), within the bounds that the even excess added last leaves it
		split.addBright(high, m.autoencoder.factor);
		BorderSmoothing.apply(high, split.withBright(), m.autoencoder.factor, consistency,
			storable.lessExcess(split.evenExcess()));
		split.addEven(high, m.autoencoder.factor);
		return high;
	}

	/** The smallest input side: one latent_multiple (the latent has the input's size). */
	public int minSide() {
		return bundle.manifest().denoiser(TASK).latentMultiple;
	}

	/**
	 * The default input tile: the native latent size (the crops the model was trained on), a multiple of
	 * latent_multiple. Twice that (as CompVis's SR notebook tiles its 64-wide native latent with 128-wide windows)
	 * lost 0.4-0.7 dB on 512 px crops of real images, in their flat parts most (wood: 45 dB there against 50): the
	 * model adds noise where it sees more than its training crop (models/demo/EVALUATION.md, session 16).
	 */
	public int autoTile() {
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser(TASK);
		int t = spec.nativeSize / bundle.manifest().autoencoder.factor;
		return Math.max(2 * spec.latentMultiple, t / spec.latentMultiple * spec.latentMultiple);
	}

	/**
	 * The latent tiles of a W × H input (the latent has the input's size) with the given tile side (0: automatic);
	 * they are fused at every step, so the sampler runs once whatever their number.
	 */
	public int tileCount(int width, int height, int tile) {
		Manifest m = bundle.manifest();
		Window win = Window.covering(width, height, m.denoiser(TASK).latentMultiple);
		return LargeImageSampling.latentGrid(m, TASK, new Shape(1, m.autoencoder.latentChannels, win.height, win.width),
			tiles(tile)).tiles().size();
	}

	/**
	 * Tile settings in output pixels for input tiles of {@code tile} pixels overlapping by half (the default overlap),
	 * or for {@code tile} 0 the automatic tiles ({@link #autoTile()}) overlapping by a quarter, at least: 1.78 times
	 * the latent per step instead of 3.57 (issue #19; measured with tiles of twice today's side). On a
	 * 150² input of the real images (cv-building, 600² output) the quarter made the run 1.5× faster (145 s against
	 * 214 s) at 27.79 dB against 27.81 (bicubic 26.48), with the same gradient across the tiles' edges as the half's
	 * output there (0.875 and 0.874 of the mean over columns, 0.924 and 0.919 over rows); on 128² inputs, whose
	 * tiles lie alike, 27.45 / 34.83 / 29.81 dB against 27.42 / 34.82 / 29.79 (README "Super-resolution tiles
	 * overlapping by a quarter").
	 * Larger tiles than twice the native latent lose 2.5-3.2 dB (the model was trained on crops of its native size).
	 */
	private TileSettings tiles(int tile) {
		Manifest m = bundle.manifest();
		int f = m.autoencoder.factor, out = (tile <= 0 ? autoTile() : tile) * f;
		int overlap = tile <= 0 ? Math.max(f, out / 4 / f * f) : TileSettings.defaultOverlap(out, f);
		return TileSettings.defaults(m, TASK).withTile(out, overlap);
	}

	/**
	 * The whole (mirror-padded) input as the low-resolution condition of one latent, denoised in overlapping latent
	 * tiles whose model outputs are fused at every step (tiling/TiledDenoiser) and decoded in tiles
	 * (tiling/TiledAutoencoder): seam-free and in memory bounded by the tile size.
	 */
	private List<FloatPlanes> sample(FloatPlanes low, int samples, int tile, StepListener listener) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		int f = m.autoencoder.factor;
		Window win = Window.covering(low.width(), low.height(), spec.latentMultiple);
		FloatPlanes padded = win.extract(low);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = new Conditioning();
			for (InputSpec in : spec.inputs) {
				if (in.name.equals(InputSpec.LOW_RES_IMAGE)) {
					if (in.channels != low.channels()) throw new IllegalArgumentException("the '" + TASK + "' denoiser of model '"
						+ m.name + "' takes a " + in.channels + "-channel low-resolution image, got " + low.channels());
					cond.input(in.name, mapped(padded, m.imageRange, in.range).toNDArray(manager));
				}
				else if (!in.name.equals(InputSpec.NOISY_LATENT)) throw new IllegalArgumentException("the '" + TASK
					+ "' denoiser of model '" + m.name + "' takes an input '" + in.name + "' that super-resolution cannot give");
			}
			TextConditioning.add(cond, bundle, TASK, settings, settings.guidance, manager);
			Shape latent = new Shape(samples, m.autoencoder.latentChannels, win.height, win.width);
			TileSettings resolved = LargeImageSampling.resolve(bundle, TASK, cond, latent, win.width * f, win.height * f,
				tiles(tile), manager);
			NDArray z0 = LargeImageSampling.sampleLatent(bundle, TASK, cond, latent, settings, resolved, listener, manager);
			return TiledAutoencoder.of(bundle, resolved).decode(z0, low.width() * f, low.height() * f);
		}
	}

	/**
	 * Decoded values brought within [bottom of the image range, top of what the output type stores]. Not the image
	 * range's top: for 16- and 32-bit images it is the input's 99.9 % percentile, and area averaging lowers peaks, so a
	 * star or a fluorescent spot is brighter at the output's resolution than any input pixel, and the decoder puts it
	 * there. Clamped at the range's top, every point source was a plateau, which consistency widened into its block.
	 * The range's bottom is the background of such images, which nothing real goes under. For 8-bit and RGB images
	 * (normalised by their type's range) both bounds are the range's, as before.
	 */
	private static void keepStorable(FloatPlanes x, double bottom, StorableRange storable) {
		float[] d = x.data();
		int n = x.planeSize();
		for (int c = 0; c < x.channels(); c++) {
			double top = storable.top(c);
			for (int i = c * n; i < (c + 1) * n; i++) d[i] = (float) Math.max(bottom, Math.min(top, d[i]));
		}
	}

	/** Linear map of values from the image range to an input's declared range (identity when equal or absent). */
	private static FloatPlanes mapped(FloatPlanes x, double[] from, double[] to) {
		if (to == null || (to[0] == from[0] && to[1] == from[1])) return x;
		FloatPlanes out = x.copy();
		float[] d = out.data();
		double scale = (to[1] - to[0]) / (from[1] - from[0]);
		for (int i = 0; i < d.length; i++) d[i] = (float) (to[0] + (d[i] - from[0]) * scale);
		return out;
	}
}
