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

import java.util.ArrayList;
import java.util.List;

/**
 * LDM inpainting (Rombach et al. 2022, Sec. 4.5; CompVis {@code scripts/inpaint.py}): encode the masked image,
 * resize the mask to the latent grid (nearest), denoise with the manifest's input layout, decode, and paste the
 * fill back with the hard mask. Only a window around the mask is processed. Images are in the model's value range
 * with the model's channel count; pixels outside the mask are returned unchanged.
 */
public final class Inpainting {

	public static final String TASK = "inpaint";

	/** Inpainting tiles are this many times the denoiser's training size (see {@link #fillWindow}). */
	static final int WIDE_TILES = 4;

	private final ModelBundle bundle;
	private final SamplingSettings settings;
	private final int contextMargin;

	/**
	 * @param contextMargin pixels of surrounding image the model sees around the mask's bounding box
	 */
	public Inpainting(ModelBundle bundle, SamplingSettings settings, int contextMargin) {
		this.bundle = bundle;
		this.settings = settings;
		this.contextMargin = contextMargin;
		bundle.manifest().denoiser(TASK);
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
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		int f = m.autoencoder.factor, w = x.width(), h = x.height();
		if (x.channels() != m.imageChannels) throw new IllegalArgumentException("image has " + x.channels()
			+ " channels, model '" + m.name + "' takes " + m.imageChannels);
		if (w % unit() != 0 || h % unit() != 0) throw new IllegalArgumentException("window " + w + "x" + h
			+ " must have sides that are multiples of " + unit() + " (f x latent_multiple of model '" + m.name + "')");
		if (mask.length != w * h) throw new IllegalArgumentException("window mask has " + mask.length + " pixels, window "
			+ w + "x" + h);
		if (samples < 1) throw new IllegalArgumentException("samples must be at least 1, got " + samples);
		// Tiles of 4x the training size: a window up to that size is one pass, larger ones are fused tiles. The
		// inpainting U-Net is fully convolutional, so a wider view only adds context. (Chosen when the first demo
		// model's fills saturated in native-size tiles; the cause turned out to be its eps-prediction, see
		// models/README.md, and native-size tiles have not been compared again with the v-prediction model.)
		int tile = Window.roundUp(WIDE_TILES * spec.nativeSize, unit());
		TileSettings tiles = TileSettings.defaults(m, TASK).withTile(tile, TileSettings.defaultOverlap(tile, f));
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = new Conditioning();
			for (InputSpec in : spec.inputs) {
				if (in.name.equals(InputSpec.MASKED_IMAGE_LATENT)) {
					float fill = (float) (Double.isNaN(in.maskedValue) ? m.imageRange[0] : in.maskedValue);
					cond.input(in.name, TiledAutoencoder.of(bundle, tiles).encode(masked(x, mask, fill), manager));
				}
				else if (in.name.equals(InputSpec.MASK)) {
					cond.input(in.name, latentMask(mask, w, h, f, in).toNDArray(manager));
				}
				else if (!in.name.equals(InputSpec.NOISY_LATENT)) throw new IllegalArgumentException("the '" + TASK
					+ "' denoiser of model '" + m.name + "' takes an input '" + in.name + "' that inpainting cannot give");
			}
			// windows larger than the training size run convolutionally: latent tiles fused at every step
			Shape latent = new Shape(samples, m.autoencoder.latentChannels, h / f, w / f);
			TileSettings resolved = LargeImageSampling.resolve(bundle, TASK, cond, latent, w, h, tiles, manager);
			NDArray z0 = LargeImageSampling.sampleLatent(bundle, TASK, cond, latent, settings, resolved, listener, manager);
			return TiledAutoencoder.of(bundle, resolved).decode(z0, w, h);
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
