package org.ldmfiji.task;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Util;
import net.imglib2.view.Views;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ImageTensors;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

import java.util.List;
import java.util.Locale;

/**
 * f× super-resolution of an ImgLib2 image (X, Y and an optional channel axis, any min, any real type) with the
 * normalisation of the ImageJ job ({@link PlaneSuperResolution}, shared with {@code imagej.SuperResolveImage}): the result
 * has the source's type, X and Y f times larger and its min f times the source's (the channel axis unchanged).
 * Several samples give their mean.
 */
final class ImgSuperResolution {

	private ImgSuperResolution() {}

	static <T extends RealType<T> & NativeType<T>> Img<T> run(ModelBundle bundle, RandomAccessibleInterval<T> image,
		SuperResolutionOptions o, Progress progress)
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
		if (values > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(String.format(Locale.ROOT, "the x%d result "
			+ "would hold %.2f billion values, more than one buffer holds (2^31): super-resolve a crop (Views.interval)", f,
			values / 1e9));
		ChannelMapping.of(c, m.imageChannels); // refuses channel counts the model cannot take, before any work
		T type = Util.getTypeFromInterval(image).createVariable();
		FloatPlanes px = ImageTensors.read(Views.zeroMin(image));
		if (!(type instanceof IntegerType)) px.requireFinite("the image");

		PlaneSuperResolution plane = new PlaneSuperResolution(sr, m, o, ImgPixels.normalization(type));
		progress.status(String.format(Locale.ROOT, "LDM super-resolution x%d: %d tile(s)", f, sr.tileCount(w, h, o.tile)));
		List<FloatPlanes> samples = plane.run(px, progress, 0, plane.steps(c));
		progress.checkCancelled();
		long[] dims = image.dimensionsAsLongArray(), min = image.minAsLongArray();
		for (int d = 0; d < 2; d++) {
			dims[d] *= f;
			min[d] *= f;
		}
		Img<T> out = ImgPixels.create(type, dims);
		ImageTensors.write(SampleStatistics.mean(samples), out);
		progress.status("LDM super-resolution: done");
		return ImgPixels.at(out, min);
	}
}
