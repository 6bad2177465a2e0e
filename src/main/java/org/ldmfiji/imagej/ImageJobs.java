package org.ldmfiji.imagej;

import org.ldmfiji.task.SamplingSettings;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;

import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Sha256;
import org.ldmfiji.model.TorchRuntime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the image-level jobs ({@link InpaintImage}, {@link SuperResolveImage}) share: opening a model by name,
 * the provenance text written into a result's Info, copying an image with its metadata, per-pixel access that
 * treats an RGB pixel as three channels, and the memory check that runs before a job starts.
 */
public final class ImageJobs {

	private ImageJobs() {}

	/**
	 * Opens a model by name (searched in the standard models folders) or by folder path, on the session's device
	 * (the GPU when DJL sees CUDA, unless LDM Engine Info or -Dldm.device chose otherwise).
	 */
	public static ModelBundle openModel(String nameOrPath) {
		return openModel(nameOrPath, List.of());
	}

	/** {@link #openModel(String)}, also searching {@code <app>/models/ldm/} of the given application folders. */
	public static ModelBundle openModel(String nameOrPath, List<Path> appFolders) {
		return ModelBundle.open(BundleLocator.standard(appFolders).find(nameOrPath),
			TorchRuntime.device(TorchRuntime.preference()));
	}

	/** The image's title without a file extension ("cells.tif" gives "cells"), the stem of result titles. */
	public static String stem(ImagePlus imp) {
		return imp.getTitle().replaceFirst("\\.[A-Za-z][A-Za-z0-9]{1,4}$", "");
	}

	/** Channels the model sees per (slice, frame) position: 3 per ImageJ channel for RGB, else 1. */
	static int imageChannels(ImagePlus imp) {
		return imp.getNChannels() * (imp.getBitDepth() == 24 ? 3 : 1);
	}

	/** The (slice, frame) positions to process, 1-based: the current one or all of them. */
	static List<int[]> positions(ImagePlus imp, boolean all) {
		List<int[]> out = new ArrayList<>();
		if (!all) {
			int[] czt = imp.convertIndexToPosition(Math.max(1, imp.getCurrentSlice()));
			out.add(new int[] {czt[1], czt[2]});
		}
		else for (int t = 1; t <= imp.getNFrames(); t++)
			for (int z = 1; z <= imp.getNSlices(); z++) out.add(new int[] {z, t});
		return out;
	}

	/** The processor of image channel {@code k} (0-based, in {@link #imageChannels} order) at a position. */
	static ImageProcessor processor(ImagePlus imp, int k, int[] position) {
		int per = imp.getBitDepth() == 24 ? 3 : 1;
		int index = imp.getStackIndex(k / per + 1, position[0], position[1]);
		return imp.getStackSize() == 1 ? imp.getProcessor() : imp.getStack().getProcessor(index);
	}

	/** Colour component of channel {@code k} in an RGB pixel (0 R, 1 G, 2 B), or -1 for a grey image. */
	static int rgbComponent(ImagePlus imp, int k) {
		return imp.getBitDepth() == 24 ? k % 3 : -1;
	}

	/** The raw value at (x, y): grey level, or one colour component of an RGB pixel (0…255). */
	static float get(ImageProcessor ip, int rgb, int x, int y) {
		if (rgb < 0) return ip.getf(x, y);
		return (ip.get(x, y) >> (16 - 8 * rgb)) & 0xff;
	}

	/** Writes v at (x, y) in the processor's type: rounded and clamped for 8-bit, 16-bit and RGB components. */
	static void put(ImageProcessor ip, int rgb, int x, int y, double v) {
		if (rgb >= 0) {
			int shift = 16 - 8 * rgb;
			int c = (int) Math.max(0, Math.min(255, Math.round(v)));
			ip.set(x, y, (ip.get(x, y) & ~(0xff << shift)) | (c << shift));
		}
		else if (ip.getBitDepth() == 32) ip.setf(x, y, (float) v);
		else {
			double max = ip.getBitDepth() == 8 ? 255 : 65535;
			ip.set(x, y, (int) Math.max(0, Math.min(max, Math.round(v))));
		}
	}

	/**
	 * A copy of the image (all planes, pixels deep-copied) with its dimensions, calibration, LUTs, display range
	 * and composite mode; the source's selection is ignored and left alone. Planes are read through the stack's
	 * processors, so a virtual stack (planes read from disk on demand, whose {@code duplicate()} gives planes without
	 * pixels) gives an in-memory copy.
	 */
	static ImagePlus copy(ImagePlus imp, String title) {
		ImageStack stack;
		if (imp.getStackSize() == 1) stack = singlePlane(imp.getProcessor().duplicate());
		else {
			ImageStack source = imp.getStack();
			stack = new ImageStack(imp.getWidth(), imp.getHeight());
			for (int i = 1; i <= source.getSize(); i++) stack.addSlice(source.getSliceLabel(i), source.getProcessor(i).duplicate());
		}
		ImagePlus out = new ImagePlus(title, stack);
		out.setDimensions(imp.getNChannels(), imp.getNSlices(), imp.getNFrames());
		if (imp.isHyperStack()) out.setOpenAsHyperStack(true);
		out.setCalibration(imp.getCalibration().copy());
		if (imp.isComposite()) {
			CompositeImage ci = new CompositeImage(out, ((CompositeImage) imp).getMode());
			ci.setLuts(((CompositeImage) imp).getLuts());
			out = ci;
		}
		else if (imp.getBitDepth() != 24) {
			LUT lut = imp.getProcessor().getLut();
			if (lut != null) out.getProcessor().setLut(lut);
			out.setDisplayRange(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
		}
		out.setPosition(imp.getChannel(), imp.getSlice(), imp.getFrame());
		return out;
	}

	private static ImageStack singlePlane(ImageProcessor ip) {
		ImageStack s = new ImageStack(ip.getWidth(), ip.getHeight());
		s.addSlice(ip);
		return s;
	}

	/** Refuses to start when {@code bytes} more would not fit in the Java heap, saying how large it would be. */
	static void requireMemory(long bytes, String what) {
		Runtime rt = Runtime.getRuntime();
		long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		if (bytes > free) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"%s would need %s but only %s of memory is free (maximum %s): process a crop or fewer planes, or give "
				+ "ImageJ more memory (Edit > Options > Memory & Threads)", what, size(bytes), size(free), size(rt.maxMemory())));
	}

	static String size(long bytes) {
		if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
	}

	/** Bytes per pixel of one plane of the image's type. */
	static int bytesPerPixel(ImagePlus imp) {
		return imp.getBitDepth() == 24 ? 4 : Math.max(1, imp.getBitDepth() / 8);
	}

	/** The provenance lines every result carries: tool, task, model (name, folder, SHA-256s), sampler, date. */
	static StringBuilder provenance(String task, ImagePlus source, ModelBundle bundle, String denoiserTask,
		SamplingSettings settings)
	{
		Manifest m = bundle.manifest();
		StringBuilder s = new StringBuilder();
		s.append("Latent Diffusion for Fiji: ").append(task).append('\n');
		s.append("source: ").append(source.getTitle()).append(" (").append(source.getWidth()).append('x')
			.append(source.getHeight()).append(", ").append(source.getStackSize()).append(" plane(s), ")
			.append(source.getBitDepth() == 24 ? "RGB" : source.getBitDepth() + "-bit").append(")\n");
		s.append("model: ").append(m.name).append(" (").append(m.folder).append(")\n");
		s.append("model SHA-256 (model.json): ").append(sha256(m.folder.resolve(Manifest.FILE_NAME))).append('\n');
		Manifest.DenoiserSpec spec = m.denoiser(denoiserTask);
		s.append("denoiser ").append(spec.file.file).append(" SHA-256: ").append(spec.file.sha256).append('\n');
		s.append("device: ").append(bundle.device()).append('\n');
		s.append("sampler: ").append(settings.sampler.id).append(", steps: ").append(settings.steps).append(", seed: ")
			.append(settings.seed);
		if (settings.sampler == SamplingSettings.SamplerKind.DDIM) s.append(", eta: ").append(settings.eta);
		s.append('\n');
		s.append("date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
		return s;
	}

	private static String sha256(Path file) {
		try {
			return Sha256.of(file);
		}
		catch (IOException e) {
			return "unreadable (" + e.getMessage() + ")";
		}
	}
}
