package org.ldmfiji.task;

import net.imglib2.FinalInterval;
import net.imglib2.Interval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.util.Util;
import net.imglib2.view.Views;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ImageTensors;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

import java.util.List;
import java.util.Locale;

/**
 * f× super-resolution of an ImgLib2 image (X, Y and an optional channel axis, any min, any real type) with the
 * normalisation of the ImageJ job ({@link PlaneSuperResolution}, shared with {@code imagej.SuperResolveImage}): the result
 * has the source's type, X and Y f times larger and its min f times the source's (the channel axis unchanged).
 * Several samples give their mean. {@link #run} returns a new image computed as one buffer (at most 2^31 values);
 * {@link #into} writes a caller's image block by block ({@link BlockwiseSuperResolution}), without that bound.
 */
final class ImgSuperResolution {

	private ImgSuperResolution() {}

	static <T extends RealType<T> & NativeType<T>> Img<T> run(ModelBundle bundle, RandomAccessibleInterval<T> image,
		SuperResolutionOptions o, Progress progress)
	{
		T type = Util.getTypeFromInterval(image).createVariable();
		FloatPlanes mean = mean(bundle, image, type, o, progress);
		int f = bundle.manifest().autoencoder.factor;
		Img<T> out = ImgPixels.create(type, scaled(image, f).dimensionsAsLongArray());
		ImageTensors.write(mean, out);
		progress.status("LDM super-resolution: done");
		return ImgPixels.at(out, scaled(image, f).minAsLongArray());
	}

	/**
	 * Super-resolves into the caller's target, which must have the interval f times the source's in X and Y (min f
	 * times the source's; the channel axis unchanged), e.g. a cell image, block by block ({@link
	 * BlockwiseSuperResolution}): the output may hold more than 2^31 values; the source is read once and must fit one
	 * buffer. A source of at most {@link BlockwiseSuperResolution#BLOCK} pixels a side gives exactly {@link #run}'s
	 * pixels.
	 */
	static <S extends RealType<S>, T extends RealType<T>> void into(ModelBundle bundle, RandomAccessibleInterval<S> image,
		RandomAccessibleInterval<T> target, SuperResolutionOptions o, Progress progress)
	{
		into(bundle, image, target, o, progress, new BlockwiseSuperResolution(BlockwiseSuperResolution.BLOCK,
			BlockwiseSuperResolution.HALO, bundle.manifest().autoencoder.factor));
	}

	/** {@link #into} with the block layout given (tests use small blocks). */
	static <S extends RealType<S>, T extends RealType<T>> void into(ModelBundle bundle, RandomAccessibleInterval<S> image,
		RandomAccessibleInterval<T> target, SuperResolutionOptions o, Progress progress, BlockwiseSuperResolution blocks)
	{
		int f = bundle.manifest().autoencoder.factor;
		Interval expected = scaled(image, f);
		if (!Intervals.equals(expected, target)) throw new IllegalArgumentException("the target is "
			+ Intervals.toString(target) + " but the x" + f + " result of " + Intervals.toString(image) + " is "
			+ Intervals.toString(expected) + ": create the target with that interval (Views.translate for the min)");
		Manifest m = bundle.manifest();
		S type = Util.getTypeFromInterval(image).createVariable();
		FloatPlanes px = checkedSource(bundle, image, type, o, false);
		int c = px.channels();
		SuperResolution sr = new SuperResolution(bundle, o.sampling);
		PlaneSuperResolution plane = new PlaneSuperResolution(sr, m, o, ImgPixels.normalization(type),
			ImgPixels.storedRange(type));
		List<ValueMap> maps = plane.fit(px);
		long perWindow = plane.steps(c), total = perWindow * blocks.blocks(px.width(), px.height());
		progress.status(String.format(Locale.ROOT, "LDM super-resolution x%d: %d block(s) of at most %d px", f,
			blocks.blocks(px.width(), px.height()), BlockwiseSuperResolution.BLOCK));
		blocks.run(px, Views.zeroMin(target), (low, seed, done) -> {
			List<FloatPlanes> samples = plane.run(low, maps, new SuperResolution(bundle, o.sampling.withSeed(seed)), progress,
				done, total);
			progress.checkCancelled();
			return SampleStatistics.mean(samples);
		}, plane.storage(), o.sampling.seed, perWindow, progress);
		progress.status("LDM super-resolution: done");
	}

	/** The source's interval with X and Y scaled by f: min f·min, max f·(max + 1) − 1; other axes unchanged. */
	static Interval scaled(Interval image, int f) {
		long[] min = image.minAsLongArray(), max = image.maxAsLongArray();
		for (int d = 0; d < 2; d++) {
			min[d] *= f;
			max[d] = f * (max[d] + 1) - 1;
		}
		return new FinalInterval(min, max);
	}

	/**
	 * The source's pixels as C × H × W raw values, after the checks of a run: layout, the model's smallest side and
	 * channels, no infinite value; with {@code oneBuffer} also that the f× result fits one buffer.
	 */
	private static <S extends RealType<S>> FloatPlanes checkedSource(ModelBundle bundle, RandomAccessibleInterval<S> image,
		S type, SuperResolutionOptions o, boolean oneBuffer)
	{
		Manifest m = bundle.manifest();
		int c = ImgPixels.channels(image);
		int w = ImgPixels.side(image.dimension(0), "the width"), h = ImgPixels.side(image.dimension(1), "the height");
		o.check();
		SuperResolution sr = new SuperResolution(bundle, o.sampling);
		int f = sr.factor();
		if (w < sr.minSide() || h < sr.minSide()) throw new IllegalArgumentException("the image is " + w + "x" + h
			+ " px, smaller than the " + sr.minSide() + "x" + sr.minSide() + " px that model '" + m.name + "' needs for "
			+ "super-resolution");
		long values = (long) w * f * h * f * c;
		if (oneBuffer && values > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"the x%d result would hold %.2f billion values, more than one buffer holds (2^31): super-resolve into a cell "
			+ "image (superResolve(image, target, ...)) or a crop (Views.interval)", f, values / 1e9));
		if ((long) w * h * c > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"the image holds %.2f billion values, more than one buffer holds (2^31): super-resolve a crop (Views.interval)",
			(double) w * h * c / 1e9));
		ChannelMapping.of(c, m.imageChannels); // refuses channel counts the model cannot take, before any work
		FloatPlanes px = ImageTensors.read(Views.zeroMin(image));
		if (!(type instanceof IntegerType)) px.requireNoInfinity("the image");
		return px;
	}

	/** The mean of the samples, in the source's values, as one buffer (C × fH × fW). */
	private static <S extends RealType<S>> FloatPlanes mean(ModelBundle bundle, RandomAccessibleInterval<S> image, S type,
		SuperResolutionOptions o, Progress progress)
	{
		Manifest m = bundle.manifest();
		FloatPlanes px = checkedSource(bundle, image, type, o, true);
		int c = px.channels(), w = px.width(), h = px.height();
		SuperResolution sr = new SuperResolution(bundle, o.sampling);
		int f = sr.factor();
		PlaneSuperResolution plane = new PlaneSuperResolution(sr, m, o, ImgPixels.normalization(type),
			ImgPixels.storedRange(type));
		progress.status(String.format(Locale.ROOT, "LDM super-resolution x%d: %d tile(s)", f, sr.tileCount(w, h, o.tile)));
		List<ValueMap> maps = plane.fit(px);
		List<FloatPlanes> samples = plane.run(px, maps, sr, progress, 0, plane.steps(c));
		progress.checkCancelled();
		return plane.storage().apply(SampleStatistics.mean(samples));
	}
}
