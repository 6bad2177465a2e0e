package org.ldmfiji.imagej;

import ij.ImagePlus;
import ij.process.FloatProcessor;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.HeapCheck;
import org.ldmfiji.task.PlaneSuperResolution;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.Provenance;
import org.ldmfiji.task.SampleStatistics;
import org.ldmfiji.task.SuperResolution;
import org.ldmfiji.task.SuperResolutionOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * x f super-resolution of an ImageJ image (8-, 16-, 32-bit or RGB; an 8-bit image with a palette as the image it
 * shows, {@link PaletteImages}; stacks plane by plane; several channels channel by channel on a one-channel model)
 * with {@link SuperResolution}. Each plane's channels are normalised on their own
 * values ({@link Normalization#forBitDepth}) into the model's range and mapped back afterwards, so the result has
 * the source's type and value range (a 16-bit image stays 16-bit with its own range). The result {@code <title>-x4}
 * has the source's calibration for an f-times finer grid. Nothing is returned before the last step has run: a
 * failure or a cancellation leaves no output; the source is only read.
 */
public final class SuperResolveImage {

	/** What the user chooses ({@link SuperResolutionOptions}, the name the entry points use). */
	public static final class Options extends SuperResolutionOptions {}

	/** The x f image (the mean of the samples when there are several) and, for several samples, the std map. */
	public static final class Result {
		public final ImagePlus image;
		public final ImagePlus std;

		Result(ImagePlus image, ImagePlus std) {
			this.image = image;
			this.std = std;
		}
	}

	private SuperResolveImage() {}

	public static Result run(ModelBundle bundle, ImagePlus source, SuperResolutionOptions o, Progress progress) {
		ImagePlus imp = PaletteImages.asShown(source);
		Manifest m = bundle.manifest();
		SuperResolution sr = new SuperResolution(bundle, o.sampling);
		int f = sr.factor(), w = imp.getWidth(), h = imp.getHeight();
		o.check();
		if (!o.allPlanes && imp.getStackSize() > 1) throw new IllegalArgumentException("'" + imp.getTitle() + "' has "
			+ imp.getStackSize() + " planes but only the current plane was asked for: super-resolution makes a whole new "
			+ "image, so either process all planes, or first duplicate the plane you want (Image > Duplicate...)");
		if (w < sr.minSide() || h < sr.minSide()) throw new IllegalArgumentException("image '" + imp.getTitle() + "' is "
			+ w + "x" + h + " px, smaller than the " + sr.minSide() + "x" + sr.minSide() + " px that model '" + m.name
			+ "' needs for super-resolution");
		long outW = (long) w * f, outH = (long) h * f;
		if (outW * outH > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"the result would be %dx%d = %.2f gigapixels per plane, more than one ImageJ plane can hold (2^31 pixels): "
				+ "super-resolve a crop", outW, outH, outW * outH / 1e9));
		int c = ImagePlanes.imageChannels(imp);
		ChannelMapping.of(c, m.imageChannels); // refuses channel counts the model cannot take, before any work
		long planes = imp.getStackSize();
		long resultBytes = outW * outH * planes * ImagePlanes.bytesPerPixel(imp);
		long working = SuperResolution.workingBytes(outW * outH, c, o.samples); // one position at a time
		long stdBytes = o.samples > 1 ? outW * outH * 4L * planes * (imp.getBitDepth() == 24 ? 3 : 1) : 0;
		HeapCheck.require(resultBytes + working + stdBytes, String.format(Locale.ROOT,
			"the x%d result (%dx%d, %d plane(s), %s)", f, outW, outH, planes, imp.getBitDepth() == 24 ? "RGB"
				: imp.getBitDepth() + "-bit"));
		List<int[]> positions = ImagePlanes.positions(imp, true);
		if (imp.getBitDepth() == 32) for (int[] pos : positions)
			IjImages.readChannels(imp, pos[0], pos[1]).requireNoInfinity(imp.getTitle());

		int tiles = sr.tileCount(w, h, o.tile);
		Normalization norm = Normalization.forBitDepth(imp.getBitDepth());
		PlaneSuperResolution plane = new PlaneSuperResolution(sr, m, o, norm, IjImages.storedRange(imp));
		long total = positions.size() * plane.steps(c), done = 0;
		progress.status(String.format(Locale.ROOT, "LDM super-resolution x%d: %d plane(s), %d tile(s) each", f,
			positions.size(), tiles));
		List<FloatPlanes> means = new ArrayList<>(), stds = new ArrayList<>();
		for (int[] pos : positions) {
			progress.checkCancelled();
			FloatPlanes low = IjImages.readChannels(imp, pos[0], pos[1]);
			List<ValueMap> maps = plane.fit(low);
			List<FloatPlanes> samples = plane.run(low, maps, sr, progress, done, total);
			done += plane.steps(c);
			FloatPlanes mean = SampleStatistics.mean(samples);
			if (o.samples > 1) stds.add(SampleStatistics.std(samples, mean));
			means.add(plane.storage().apply(mean));
		}
		progress.checkCancelled();

		StringBuilder info = Provenance.of("super-resolution x" + f, ImagePlanes.describe(source), bundle, SuperResolution.TASK, o.sampling);
		info.append(String.format(Locale.ROOT, "samples: %d%s, consistency (back-projection): %s, tile: %s px (%d latent "
			+ "tile(s) per plane, fused at every step)%n", o.samples, o.samples > 1 ? " (this image: their mean)" : "", o.consistency ? "on" : "off",
			o.tile <= 0 ? "auto " + sr.autoTile() : Integer.toString(o.tile), tiles));
		info.append("normalisation: ").append(norm).append(" per plane and channel; calibration: pixel size / ").append(f)
			.append('\n');
		ImagePlus out = IjImages.createLike(imp, ImagePlanes.stem(imp) + "-x" + f, (int) outW, (int) outH, f, info.toString());
		for (int i = 0; i < positions.size(); i++) IjImages.writeChannels(means.get(i), out, positions.get(i)[0],
			positions.get(i)[1]);
		if (imp.getBitDepth() == 32) out.resetDisplayRange();
		ImagePlus std = null;
		if (o.samples > 1) {
			List<FloatProcessor> stdPlanes = new ArrayList<>();
			for (FloatPlanes p : stds)
				for (int k = 0; k < p.channels(); k++) stdPlanes.add(new FloatProcessor((int) outW, (int) outH, p.channel(k).data()));
			std = ResultImages.std(stdPlanes, c, imp.getNSlices(), imp.getNFrames(), ImagePlanes.stem(imp) + "-x" + f + "-std",
				out.getCalibration(), info.toString(), o.samples + " samples, in the source's units");
		}
		progress.status("LDM super-resolution: done");
		return new Result(out, std);
	}
}
