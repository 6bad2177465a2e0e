package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FillTexture;
import org.ldmfiji.image.BiharmonicFill;
import org.ldmfiji.image.ContinuationSmoothing;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.HarmonicFill;
import org.ldmfiji.image.Impulses;
import org.ldmfiji.image.LowBandFloor;
import org.ldmfiji.image.PeriodicFill;
import org.ldmfiji.image.SeamBand;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledAutoencoder;
import org.ldmfiji.tiling.Window;

import java.util.ArrayList;
import java.util.List;

/**
 * LDM inpainting (Rombach et al. 2022, Sec. 4.5; CompVis {@code scripts/inpaint.py}): encode the masked image,
 * resize the mask to the latent grid (nearest), denoise with the manifest's input layout, decode, and paste the
 * fill back with the hard mask. Only a window around the mask is processed. Images are in the model's value range
 * with the model's channel count; pixels outside the mask are returned unchanged.
 * <p>
 * Additions to CompVis's script, all on by default and measured in {@code models/demo/EVALUATION.md}:
 * <ul>
 * <li><b>strength</b> &lt; 1 starts the reverse process from a first guess instead of pure noise (SDEdit, Meng et al.
 * 2022): the biharmonic continuation of the surroundings into the mask ({@link BiharmonicFill}), encoded and diffused
 * to strength·T; only the timesteps below that are run. The fill then keeps the surroundings' low frequencies and the
 * model adds structure and texture; strength 1 is CompVis's sampling from noise.</li>
 * <li><b>seam correction</b>: the decoder does not reproduce the known pixels exactly, so a hard paste leaves a step
 * at the mask's border. The decoder's error on the known pixels is carried into the fill harmonically (Poisson image
 * editing, Pérez et al. 2003): the fill keeps its own gradients, and its border meets the surroundings.</li>
 * <li><b>harmonization</b> ({@link Seam#HARMONIZE}): the latent cells without a masked pixel are replaced by those of
 * the encoded first guess before decoding, and the corrected composite is encoded and decoded once more. A fill
 * sampled in latent space does not continue the surroundings' texture across the border; the autoencoder's own
 * reconstruction of an image does, and this pass makes the fill part of one.</li>
 * <li><b>band blend</b> ({@link Seam#BLEND}): after each seam correction, the fill's low frequencies are blended
 * toward the first guess in a band along the border ({@link SeamBand}). The correction keeps the fill's gradients,
 * so a fill that departs from its surroundings within its first pixels keeps a jump there; with a near-lossless
 * autoencoder the correction has little error to carry and the jump is all that is left. Then the blend extends to
 * the whole mask for the low frequencies: the fill's band below σ = 2 px becomes the first guess's, and its detail
 * above fades in over 2 px from the border ({@link LowBandFloor}). One sample's smooth part is a guess, and on
 * images unlike the training set a worse one than the biharmonic continuation (issue #18). How much of the detail
 * is kept is chosen on the image, by how well it predicts known pixels under a moved copy of the hole
 * ({@link #detailWeight}).</li>
 * <li><b>texture and range</b> (every seam but {@link Seam#HARD}): the fill's fine texture follows the known pixels
 * around the mask, scaled down where the model's is noisier than its surroundings, an exemplar's added where it is
 * smoother, and its values are kept within the surroundings' range ({@link FillTexture}).</li>
 * </ul>
 */
public final class Inpainting {

	public static final String TASK = "inpaint";

	/** Inpainting tiles are this many times the denoiser's training size (see {@link #fillWindow}). */
	static final int WIDE_TILES = 4;

	/** The weights of the model's detail that {@link #detailWeight} chooses among. */
	static final double[] DETAIL_WEIGHTS = {0, 0.25, 0.5, 0.75, 1};

	/** The default strength: chosen on the demo model's held-out evaluation (models/demo/EVALUATION.md). */
	public static final double DEFAULT_STRENGTH = OptionTable.STRENGTH.defaultNumber();

	private final ModelBundle bundle;
	private final SamplingSettings settings;
	private final int contextMargin;
	private final double strength;
	private final Seam seam;

	/** With the default strength and seam. */
	public Inpainting(ModelBundle bundle, SamplingSettings settings, int contextMargin) {
		this(bundle, settings, contextMargin, DEFAULT_STRENGTH, Seam.BLEND);
	}

	/**
	 * @param contextMargin pixels of surrounding image the model sees around the mask's bounding box
	 * @param strength in (0, 1]: 1 samples from pure noise, less starts from the harmonic first guess
	 * @param seam how the decoded fill meets the known pixels
	 */
	public Inpainting(ModelBundle bundle, SamplingSettings settings, int contextMargin, double strength, Seam seam)
	{
		this.bundle = bundle;
		this.settings = settings;
		this.contextMargin = contextMargin;
		this.strength = strength;
		this.seam = seam;
		bundle.manifest().denoiser(TASK);
		steps(); // a bad strength fails here, before any work
	}

	/**
	 * The denoising steps of one fill (fewer than the settings' steps when strength &lt; 1), twice that where the
	 * window is filled once more to weigh the model's detail ({@link #detailWeight}).
	 */
	public int steps() {
		Manifest m = bundle.manifest();
		int max = LargeImageSampling.maxTimestep(strength, m.schedule.timesteps(), true);
		return (weighsDetail() ? 2 : 1) * settings.stepsOn(m.schedule, max);
	}

	/**
	 * Whether the model's detail is weighed on the image ({@link #detailWeight}): with the default seam, unless the
	 * fill is asked for the model's own content, which the known pixels under a moved copy of the hole cannot judge:
	 * a prompt says what the hole holds, and strength 1 samples from noise as CompVis does (and as the Spark sampling
	 * job's gap fill continues its sampled cells).
	 */
	private boolean weighsDetail() {
		return seam == Seam.BLEND && strength < 1 && settings.prompt.isEmpty() && settings.negativePrompt.isEmpty();
	}

	/**
	 * @param image C × H × W in the model's range
	 * @param mask H·W row-major, true where the image is to be filled
	 * @param samples how many independent fills (a batch; the seed fixes all of them)
	 * @return one image per sample: the fill inside the mask, {@code image} unchanged outside
	 */
	public List<FloatPlanes> run(FloatPlanes image, boolean[] mask, int samples, StepListener listener) {
		int w = image.width(), h = image.height();
		if (mask.length != w * h) throw new IllegalArgumentException("the mask has " + mask.length + " pixels but the image "
			+ w + "x" + h + " has " + (w * h) + ": give a mask of the image's size");
		int[] box = bounds(mask, w, h);
		Window win = window(box, contextMargin, w, h);
		List<FloatPlanes> fills = fillWindow(win.extract(image), win.extract(mask, w, h), samples, listener);
		List<FloatPlanes> out = new ArrayList<>(samples);
		for (FloatPlanes fill : fills) out.add(pasteInside(image, fill, mask, win));
		return out;
	}

	/** The side of the pixel grid a window must be a multiple of: f · latent_multiple. */
	public int unit() {
		return bundle.manifest().autoencoder.factor * bundle.manifest().denoiser(TASK).latentMultiple;
	}

	/** The denoiser's training size in pixels (manifest {@code native_size}). */
	public int nativeSize() {
		return bundle.manifest().denoiser(TASK).nativeSize;
	}

	/**
	 * The window the model sees for the region {@code box} = [x0, y0, x1, y1) of a W × H image: the region grown by
	 * {@code margin} pixels of context, sides multiples of {@link #unit()} and at least the native size, placed
	 * inside the image where it fits (mirrored beyond a smaller image).
	 */
	public Window window(int[] box, int margin, int imageW, int imageH) {
		return Window.around(box[0], box[1], box[2], box[3], margin, unit(), nativeSize(), imageW, imageH);
	}

	/**
	 * Inpaints one window.
	 *
	 * @param x the window's pixels, C × h × w in the model's range with the model's channel count; sides multiples
	 *          of {@link #unit()}
	 * @param mask h·w row-major, true where the window is to be filled
	 * @param samples independent fills (one batch; the seed fixes all of them)
	 * @return per sample the decoded window (C × h × w, model range); the caller pastes the masked part
	 */
	public List<FloatPlanes> fillWindow(FloatPlanes x, boolean[] mask, int samples, StepListener listener) {
		return fillWindow(x, mask, null, samples, listener);
	}

	/**
	 * The same, the first guess's periodic continuation read in {@code around} (null: in the window): its box may
	 * need more of the image than the model's context holds.
	 */
	public List<FloatPlanes> fillWindow(FloatPlanes x, boolean[] mask, Surroundings around, int samples,
		StepListener listener)
	{
		Manifest m = bundle.manifest();
		int w = x.width(), h = x.height();
		if (x.channels() != m.imageChannels) throw new IllegalArgumentException("image has " + x.channels()
			+ " channels, model '" + m.name + "' takes " + m.imageChannels);
		if (w % unit() != 0 || h % unit() != 0) throw new IllegalArgumentException("window " + w + "x" + h
			+ " must have sides that are multiples of " + unit() + " (f x latent_multiple of model '" + m.name + "')");
		if (mask.length != w * h) throw new IllegalArgumentException("window mask has " + mask.length + " pixels, window "
			+ w + "x" + h);
		if (samples < 1) throw new IllegalArgumentException("samples must be at least 1, got " + samples);
		x = Impulses.removed(x, mask); // the fill follows the background, not a cosmic ray or a hot pixel beside it
		Sampled s = sample(x, mask, around, samples, listener);
		if (!seam.corrects()) return s.fills;
		FillTexture texture = new FillTexture(mask, w, h, x);
		if (seam == Seam.BLEND) floor(s, mask, texture, weighsDetail() ? detailWeight(x, mask, listener) : 1);
		return matchSurroundings(x, s.fills, texture, settings.seed);
	}

	/** One window's fills as sampled, decoded and corrected, with the first guess they are floored to. */
	private static final class Sampled {
		final List<FloatPlanes> fills;
		final FloatPlanes smooth;
		/** Per channel, the share of the guess that is a periodic pattern's continuation. */
		final double[] periodic;

		Sampled(List<FloatPlanes> fills, FloatPlanes smooth, double[] periodic) {
			this.fills = fills;
			this.smooth = smooth;
			this.periodic = periodic;
		}
	}

	/**
	 * How much of the model's detail the fills keep ({@link #floor}), chosen on the image by cross-validation as the
	 * first guess's smoothing is ({@link ContinuationSmoothing}): the hole is moved over known pixels
	 * ({@link ContinuationSmoothing#movedCopy}), the window is filled once more with both holes, and of the weights
	 * {@link #DETAIL_WEIGHTS} the one whose floored and textured fill predicts the known pixels under the copy with
	 * the least absolute error is taken. A model that knows the content (one trained on such images) keeps its
	 * detail; one that invents it there (the demo model on photographs: 0.7-2.3 % of the fills' error) gives it up.
	 * Reports its steps after the fill's ({@link #steps()} counts both); 1 where the hole cannot be moved.
	 */
	private double detailWeight(FloatPlanes x, boolean[] mask, StepListener listener) {
		int w = x.width(), h = x.height(), n = w * h;
		boolean[] moved = ContinuationSmoothing.movedCopy(mask, w, h);
		int half = steps() / 2;
		if (moved == null) {
			listener.stepDone(2 * half, 2 * half);
			return 1;
		}
		boolean[] both = new boolean[n];
		for (int i = 0; i < n; i++) both[i] = mask[i] || moved[i];
		Sampled copy = sample(x, both, null, 1, new StepListener() {
			@Override
			public void stepDone(int done, int total) {
				listener.stepDone(half + done, 2 * half);
			}

			@Override
			public void checkCancelled() {
				listener.checkCancelled();
			}
		});
		FillTexture texture = new FillTexture(both, w, h, x);
		float[] xs = x.data();
		double best = 1, least = Double.POSITIVE_INFINITY;
		for (double weight : DETAIL_WEIGHTS) {
			FloatPlanes fill = copy.fills.get(0).copy();
			floor(new Sampled(List.of(fill), copy.smooth, copy.periodic), both, texture, weight);
			texture.apply(fill, x, 0, settings.seed);
			float[] fs = fill.data();
			double error = 0;
			for (int c = 0; c < x.channels(); c++)
				for (int i = 0; i < n; i++) if (moved[i] && !mask[i]) error += Math.abs(fs[c * n + i] - xs[c * n + i]);
			if (error < least) {
				least = error;
				best = weight;
			}
		}
		return best;
	}

	/**
	 * Samples, decodes and corrects the fills of one window as the seam asks: all {@link #fillWindow} does before the
	 * floor and the texture.
	 */
	private Sampled sample(FloatPlanes x, boolean[] mask, Surroundings around, int samples, StepListener listener) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		int f = m.autoencoder.factor, w = x.width(), h = x.height();
		// Tiles of 4x the training size: a window up to that size is one pass, larger ones are fused tiles. The
		// inpainting U-Net is fully convolutional, so a wider view only adds context. (Chosen when the first demo
		// model's fills saturated in native-size tiles; the cause turned out to be its eps-prediction, see
		// models/README.md, and native-size tiles have not been compared again with the v-prediction model.)
		int tile = Window.roundUp(WIDE_TILES * spec.nativeSize, unit());
		TileSettings tiles = TileSettings.defaults(m, TASK).withTile(tile, TileSettings.defaultOverlap(tile, f));
		TiledAutoencoder encoder = TiledAutoencoder.of(bundle, tiles);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = new Conditioning();
			for (InputSpec in : spec.inputs) {
				if (in.name.equals(InputSpec.MASKED_IMAGE_LATENT)) {
					float fill = (float) (Double.isNaN(in.maskedValue) ? m.imageRange[0] : in.maskedValue);
					cond.input(in.name, encoder.encode(masked(x, mask, fill), manager));
				}
				else if (in.name.equals(InputSpec.MASK)) {
					cond.input(in.name, latentMask(mask, w, h, f, in).toNDArray(manager));
				}
				else if (!in.name.equals(InputSpec.NOISY_LATENT)) throw new IllegalArgumentException("the '" + TASK
					+ "' denoiser of model '" + m.name + "' takes an input '" + in.name + "' that inpainting cannot give");
			}
			TextConditioning.add(cond, bundle, TASK, settings, settings.guidance, manager);
			// windows larger than the training size run convolutionally: latent tiles fused at every step
			Shape latent = new Shape(samples, m.autoencoder.latentChannels, h / f, w / f);
			TileSettings resolved = LargeImageSampling.resolve(bundle, TASK, cond, latent, w, h, tiles, manager);
			TiledAutoencoder decoder = TiledAutoencoder.of(bundle, resolved);
			double[] periodic = new double[x.channels()];
			FloatPlanes smooth = strength < 1 || seam.harmonizes()
				? firstGuess(x, mask, periodic, around, listener::checkCancelled) : null;
			NDArray guess = smooth == null ? null : encoder.encode(smooth, manager);
			NDArray z0 = LargeImageSampling.sampleLatent(bundle, TASK, cond, latent, settings, resolved,
				strength < 1 ? guess : null, strength, listener, manager);
			if (seam.harmonizes()) { // the sampled latent in the cells with a masked pixel, the first guess's elsewhere
				NDArray cells = manager.create(cellsWithMaskedPixels(mask, w, h, f), new Shape(1, 1, h / f, w / f));
				z0 = NDArrays.where(cells.broadcast(latent), z0, guess.broadcast(latent));
			}
			List<FloatPlanes> fills = decoder.decode(z0, w, h);
			if (!seam.corrects()) return new Sampled(fills, smooth, periodic);
			SeamBand band = seam == Seam.BLEND ? new SeamBand(mask, w, h) : null;
			correctSeams(x, fills, mask, band, smooth);
			if (!seam.harmonizes()) return new Sampled(fills, smooth, periodic);
			List<FloatPlanes> again = new ArrayList<>(fills.size());
			for (FloatPlanes fill : fills) {
				try (NDArray z = encoder.encode(composite(x, fill, mask), manager)) {
					again.add(decoder.decode(z, w, h).get(0));
				}
			}
			correctSeams(x, again, mask, band, smooth);
			return new Sampled(again, smooth, periodic);
		}
	}

	/**
	 * The fills' fine texture, noise level and values made to follow the known pixels around the mask
	 * ({@link FillTexture}), in place; returns {@code fills}.
	 */
	private static List<FloatPlanes> matchSurroundings(FloatPlanes x, List<FloatPlanes> fills, FillTexture texture,
		long seed)
	{
		for (int k = 0; k < fills.size(); k++) texture.apply(fills.get(k), x, k, seed);
		return fills;
	}

	/** The latent cells (f × f pixel blocks) that hold at least one masked pixel, (h/f)·(w/f) row-major. */
	static boolean[] cellsWithMaskedPixels(boolean[] mask, int w, int h, int f) {
		boolean[] cells = new boolean[(h / f) * (w / f)];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) if (mask[y * w + x]) cells[(y / f) * (w / f) + x / f] = true;
		return cells;
	}

	/** x with the fill's pixels where the mask is set. */
	private static FloatPlanes composite(FloatPlanes x, FloatPlanes fill, boolean[] mask) {
		FloatPlanes out = x.copy();
		float[] d = out.data(), fs = fill.data();
		int plane = out.planeSize();
		for (int c = 0; c < out.channels(); c++)
			for (int i = 0; i < plane; i++) if (mask[i]) d[c * plane + i] = fs[c * plane + i];
		return out;
	}

	/**
	 * The fills' low frequencies from the biharmonic first guess, their detail weighted by {@code weight}, by the
	 * surroundings' local texture level ({@link LowBandFloor}, {@link LocalTexture}) and by the share of the guess
	 * that is not a periodic pattern's continuation: the guess's fringes are the detail there, and the model's, which
	 * has not kept them, would take 0.6 of their contrast away. In place.
	 */
	private static void floor(Sampled s, boolean[] mask, FillTexture texture, double weight) {
		float[][] weights = new float[s.smooth.channels()][];
		for (int c = 0; c < weights.length; c++) {
			weights[c] = texture.localWeights(c);
			double k = (1 - s.periodic[c]) * weight;
			if (k == 1) continue;
			weights[c] = weights[c].clone();
			for (int i = 0; i < weights[c].length; i++) weights[c][i] *= (float) k;
		}
		s.fills.parallelStream().forEach(fill -> LowBandFloor.apply(fill, s.smooth, mask, LowBandFloor.SIGMA, weights));
	}

	static FloatPlanes firstGuess(FloatPlanes x, boolean[] mask) {
		return firstGuess(x, mask, new double[x.channels()], null, () -> {});
	}

	/**
	 * x with the masked pixels replaced by the biharmonic continuation of the others (their noise taken out first,
	 * {@link BiharmonicFill#fillDenoised}, by the smoothing that predicts this image's own known pixels best,
	 * {@link ContinuationSmoothing}), moved toward the continuation of their periodic pattern where they have
	 * one ({@link PeriodicFill}, its weight per channel into {@code periodic}; read in {@code around} unless it is
	 * null), channel by channel. {@code cancel} throws {@link java.util.concurrent.CancellationException} if the user
	 * asked to stop; it is run between the guess's stages (a large hole's fill takes seconds).
	 */
	static FloatPlanes firstGuess(FloatPlanes x, boolean[] mask, double[] periodic, Surroundings around,
		Runnable cancel)
	{
		FloatPlanes out = x.copy();
		int n = x.planeSize();
		float[][] planes = new float[x.channels()][];
		for (int c = 0; c < planes.length; c++) planes[c] = x.channel(c).data();
		double sigma = ContinuationSmoothing.choose(planes, mask, x.width(), x.height(), cancel);
		for (int c = 0; c < x.channels(); c++) {
			cancel.run();
			float[] values = planes[c];
			float[] plane = BiharmonicFill.fillDenoised(values, mask, x.width(), x.height(), sigma);
			periodic[c] = around == null ? PeriodicFill.blendInto(plane, values, mask, x.width(), x.height())
				: around.blendPeriodic(plane, mask, c, x.width(), x.height());
			System.arraycopy(plane, 0, out.data(), c * n, n);
		}
		return out;
	}

	/**
	 * The image around a window, in the model's values and channels: the window's origin at (x, y) of the plane, and
	 * which of its pixels are unknown (other holes too). The window's first guess reads its periodic pattern here.
	 */
	public static final class Surroundings {
		final FloatPlanes values;
		final boolean[] unknown;
		final int x, y;

		public Surroundings(FloatPlanes values, boolean[] unknown, int x, int y) {
			this.values = values;
			this.unknown = unknown;
			this.x = x;
			this.y = y;
		}

		/**
		 * {@link PeriodicFill#blendInto} of the window's plane (w × h, channel c) at its masked pixels that lie in
		 * the surroundings (not those mirrored beyond the image); returns β.
		 */
		double blendPeriodic(float[] plane, boolean[] mask, int c, int w, int h) {
			int sw = values.width(), sh = values.height();
			float[] known = values.channel(c).data(), wide = known.clone();
			boolean[] target = new boolean[sw * sh];
			int[] at = new int[w * h]; // each window pixel's index in the surroundings, -1 for none to blend
			for (int j = 0; j < h; j++)
				for (int i = 0; i < w; i++) {
					int sx = i + x, sy = j + y, p = j * w + i;
					at[p] = mask[p] && sx >= 0 && sy >= 0 && sx < sw && sy < sh ? sy * sw + sx : -1;
					if (at[p] < 0) continue;
					wide[at[p]] = plane[p];
					target[at[p]] = true;
				}
			double beta = PeriodicFill.blendInto(wide, known, unknown, target, sw, sh);
			if (beta > 0) for (int p = 0; p < at.length; p++) if (at[p] >= 0) plane[p] = wide[at[p]];
			return beta;
		}
	}

	/**
	 * {@link #correctSeam} for each sample, then the band blend toward {@code smooth} unless {@code band} is null; on
	 * the common fork-join pool (the samples are independent).
	 */
	private static void correctSeams(FloatPlanes x, List<FloatPlanes> fills, boolean[] mask, SeamBand band,
		FloatPlanes smooth)
	{
		fills.parallelStream().forEach(fill -> {
			correctSeam(x, fill, mask);
			if (band != null) band.apply(fill, smooth);
		});
	}

	/**
	 * Adds to the fill's masked pixels the harmonic interpolation of the decoder's error x − D(z) on the known
	 * pixels (Pérez et al. 2003, eq. 5 with the fill's own gradients as guidance), in place.
	 */
	static void correctSeam(FloatPlanes x, FloatPlanes fill, boolean[] mask) {
		int n = x.planeSize();
		float[] xs = x.data(), fs = fill.data();
		for (int c = 0; c < x.channels(); c++) {
			float[] error = new float[n];
			for (int i = 0; i < n; i++) if (!mask[i]) error[i] = xs[c * n + i] - fs[c * n + i];
			float[] carried = HarmonicFill.fill(error, mask, x.width(), x.height());
			for (int i = 0; i < n; i++) if (mask[i]) fs[c * n + i] += carried[i];
		}
	}

	/** [x0, y0, x1, y1) of the mask's true pixels; refuses an empty or full mask. */
	static int[] bounds(boolean[] mask, int w, int h) {
		int x0 = w, y0 = h, x1 = -1, y1 = -1, count = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				if (!mask[y * w + x]) continue;
				count++;
				x0 = Math.min(x0, x);
				y0 = Math.min(y0, y);
				x1 = Math.max(x1, x);
				y1 = Math.max(y1, y);
			}
		if (count == 0) throw new IllegalArgumentException("the mask is empty: select the region to fill (a selection "
			+ "or a mask image whose non-zero pixels mark it)");
		if (count == mask.length) throw new IllegalArgumentException("the mask covers the whole image: inpainting needs "
			+ "surrounding pixels to continue; select only the region to fill");
		return new int[] {x0, y0, x1 + 1, y1 + 1};
	}

	/** x with every fill pixel set to {@code fill} (CompVis: (1 − m)·x in [0, 1], i.e. −1 in [−1, 1]). */
	private static FloatPlanes masked(FloatPlanes x, boolean[] mask, float fill) {
		FloatPlanes out = x.copy();
		float[] d = out.data();
		int plane = out.planeSize();
		for (int c = 0; c < out.channels(); c++)
			for (int i = 0; i < plane; i++) if (mask[i]) d[c * plane + i] = fill;
		return out;
	}

	/** The mask on the latent grid, nearest neighbour (pixel (i·f, j·f), as torch's interpolate), mapped to range. */
	private static FloatPlanes latentMask(boolean[] mask, int w, int h, int f, InputSpec spec) {
		double lo = spec.range == null ? 0 : spec.range[0], hi = spec.range == null ? 1 : spec.range[1];
		FloatPlanes out = FloatPlanes.zeros(spec.channels, h / f, w / f);
		for (int c = 0; c < spec.channels; c++)
			for (int j = 0; j < h / f; j++)
				for (int i = 0; i < w / f; i++) out.set(c, j, i, (float) (mask[j * f * w + i * f] ? hi : lo));
		return out;
	}

	/** The source image with the window's fill pasted where the mask is set. */
	private static FloatPlanes pasteInside(FloatPlanes image, FloatPlanes fill, boolean[] mask, Window win) {
		FloatPlanes out = image.copy();
		int w = image.width(), h = image.height();
		for (int c = 0; c < image.channels(); c++)
			for (int j = 0; j < win.height; j++)
				for (int i = 0; i < win.width; i++) {
					if (!win.onImage(i, j, w, h)) continue;
					int sx = win.x + i, sy = win.y + j;
					if (mask[sy * w + sx]) out.set(c, sy, sx, fill.get(c, j, i));
				}
		return out;
	}
}
