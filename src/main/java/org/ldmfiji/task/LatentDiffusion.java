package org.ldmfiji.task;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;

import org.ldmfiji.model.ModelBundle;

/**
 * The tasks on ImgLib2 images, over an opened model bundle (which the caller owns and closes): inpainting,
 * super-resolution and large-image sampling. Images are X, Y and an optional channel axis (dimension 2: RGB as three
 * channels, or a model's channels), with any min; take stacks and time series plane by plane with
 * {@code Views.hyperSlice}. Results keep the source's pixel type; the options are the ImageJ jobs' (their defaults
 * are the {@link OptionTable}'s).
 * <p>
 * One bundle runs one task at a time: calls on the same object are serialised.
 */
public final class LatentDiffusion {

	private final ModelBundle bundle;

	public LatentDiffusion(ModelBundle bundle) {
		this.bundle = bundle;
	}

	public ModelBundle bundle() {
		return bundle;
	}

	/**
	 * Fills the image where the mask is true, with the surroundings as context.
	 *
	 * @param mask X, Y with the image's X and Y interval (a thresholded image, a label image through a converter, a
	 *             rasterised selection)
	 * @return a copy with the image's interval and type; pixels outside the grown mask are the source's, bit for bit
	 */
	public synchronized <T extends RealType<T> & NativeType<T>> Img<T> inpaint(RandomAccessibleInterval<T> image,
		RandomAccessibleInterval<? extends BooleanType<?>> mask, InpaintOptions options, Progress progress)
	{
		return ImgInpainting.run(bundle, image, mask, options, progress);
	}

	/**
	 * Super-resolves the image by the model's factor f (4 for the demo model).
	 *
	 * @return the image's type, X and Y f times larger, min f times the source's (the channel axis unchanged)
	 */
	public synchronized <T extends RealType<T> & NativeType<T>> Img<T> superResolve(RandomAccessibleInterval<T> image,
		SuperResolutionOptions options, Progress progress)
	{
		return ImgSuperResolution.run(bundle, image, options, progress);
	}

	/**
	 * Super-resolves the image into the caller's target (e.g. a cell image), whose interval must be the source's
	 * with X and Y f times larger and min f times the source's (the channel axis unchanged); any real type. The
	 * result is computed and written block by block (512-pixel source blocks with 32-pixel halos, blended seam-free,
	 * each block seeded from the seed and its position; {@code BlockwiseSuperResolution}), so the target may hold more
	 * than 2^31 values; the source is read once (for one normalisation of all blocks) and must fit one buffer. With
	 * consistency on, the whole result reproduces the source under the f × f area average, as the one-buffer result
	 * does. A source of at most 512 pixels a side gives exactly {@link #superResolve(RandomAccessibleInterval,
	 * SuperResolutionOptions, Progress)}'s pixels; a larger one differs from it by the blocks' own noise. A run
	 * cancelled part-way leaves the write tiles finished so far in the target.
	 *
	 * @return the target
	 */
	public synchronized <S extends RealType<S>, T extends RealType<T>> RandomAccessibleInterval<T> superResolve(
		RandomAccessibleInterval<S> image, RandomAccessibleInterval<T> target, SuperResolutionOptions options,
		Progress progress)
	{
		ImgSuperResolution.into(bundle, image, target, options, progress);
		return target;
	}

	/**
	 * Samples an image of the target's size from noise and writes it into the target block by block (a cell image's
	 * cells), so targets larger than one array work. Width and height of the options are ignored: the target's count.
	 *
	 * @param target X, Y, any min; e.g. a CellImg from {@code new CellImgFactory<>(new UnsignedShortType(), 256)}
	 * @return the target
	 */
	public synchronized <T extends RealType<T>> RandomAccessibleInterval<T> sample(RandomAccessibleInterval<T> target,
		SampleOptions options, Progress progress)
	{
		ImgSampling.run(bundle, target, options, progress);
		return target;
	}
}
