package org.ldmfiji.spark;

import ij.process.ImageProcessor;

import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.image.ImageTensors;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.SuperResolutionOptions;

/**
 * One plane of an ImageJ image super-resolved through the plugin's ImgLib2 task API ({@link
 * LatentDiffusion#superResolve}): the plane in its own pixel type (8-bit, 16-bit, 32-bit; RGB as an 8-bit X, Y, C
 * image), so the task normalises it as {@code ./ldm superres} normalises each plane of a stack, with the same seed for
 * every plane; the result is written into a processor of the source's type.
 */
final class PlaneSuperResolver {

	private PlaneSuperResolver() {}

	static ImageProcessor run(LatentDiffusion ld, ImageProcessor ip, SuperResolutionOptions o) {
		FloatPlanes px = IjImages.read(ip);
		int w = ip.getWidth(), h = ip.getHeight(), c = px.channels();
		long[] dims = c == 1 ? new long[] {w, h} : new long[] {w, h, c};
		FloatPlanes out;
		switch (ip.getBitDepth()) {
			case 8:
			case 24:
				out = run(ld, ArrayImgs.unsignedBytes(dims), px, o);
				break;
			case 16:
				out = run(ld, ArrayImgs.unsignedShorts(dims), px, o);
				break;
			case 32:
				out = run(ld, ArrayImgs.floats(dims), px, o);
				break;
			default:
				throw new IllegalArgumentException("unsupported bit depth " + ip.getBitDepth() + ": use 8-, 16-, 32-bit or RGB");
		}
		ImageProcessor result = ip.createProcessor(out.width(), out.height());
		IjImages.write(out, result);
		return result;
	}

	private static <T extends RealType<T> & NativeType<T>> FloatPlanes run(LatentDiffusion ld, Img<T> img, FloatPlanes px,
		SuperResolutionOptions o)
	{
		ImageTensors.write(px, img);
		return ImageTensors.read(ld.superResolve(img, o, Progress.NONE));
	}
}
