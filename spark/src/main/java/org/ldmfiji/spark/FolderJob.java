package org.ldmfiji.spark;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.measure.Calibration;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A folder (or glob) of images through a plane task ({@link PlaneWork}): x f super-resolution, each plane of each
 * stack one unit of work (one Spark task), super-resolved by {@link PlaneSuperResolver} with the run's seed as {@code
 * ./ldm superres} does plane by plane; or inpainting with a mask image per image, each (slice, frame) position one
 * unit ({@link PlaneInpainter}, as {@code ./ldm inpaint} fills every position). A second stage puts each image's
 * units together, in stack order, into OUT/NAME.tif. Both stages skip what a previous run finished ({@link
 * DoneMarkers}); partial results live in OUT/.ldm-spark.
 */
final class FolderJob {

	/** One plane of one image. */
	static final class Unit implements Serializable {
		private static final long serialVersionUID = 1L;
		final String path, name;
		/** The unit's index among its image's units (1-based) and their count. */
		final int plane, planes;
		/** The mask image (inpainting), or null. */
		final String mask;

		Unit(String path, String name, int plane, int planes) {
			this(path, name, plane, planes, null);
		}

		Unit(String path, String name, int plane, int planes, String mask) {
			this.path = path;
			this.name = name;
			this.plane = plane;
			this.planes = planes;
			this.mask = mask;
		}

		Unit at(int p) {
			return new Unit(path, name, p, planes, mask);
		}

		@Override
		public String toString() {
			return name + " plane " + plane + "/" + planes;
		}
	}

	private FolderJob() {}

	/** The image files: a folder's TIFF and PNG files, a glob on file names (dir/*.tif), or one file; sorted. */
	static List<Path> inputs(String input) {
		Path p = Paths.get(input);
		String last = p.getFileName() == null ? "" : p.getFileName().toString();
		Path dir;
		PathMatcher match;
		if (Files.isDirectory(p)) {
			dir = p;
			match = p.getFileSystem().getPathMatcher("glob:*.{tif,tiff,TIF,TIFF,png,PNG}");
		}
		else if (last.contains("*") || last.contains("?") || last.contains("[") || last.contains("{")) {
			dir = p.toAbsolutePath().getParent();
			match = p.getFileSystem().getPathMatcher("glob:" + last);
		}
		else if (Files.isRegularFile(p)) return List.of(p.toAbsolutePath());
		else throw new IllegalArgumentException("no image, folder or glob " + input + " (check the path)");
		try (Stream<Path> s = Files.list(dir)) {
			List<Path> files = s.filter(f -> Files.isRegularFile(f) && match.matches(f.getFileName())).map(Path::toAbsolutePath)
				.sorted().collect(Collectors.toList());
			if (files.isEmpty()) throw new IllegalArgumentException("no image matches " + input + ": give TIFF or PNG files");
			return files;
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
		}
	}

	/** The units: every plane of every image (a TIFF's plane count from its header, without reading pixels). */
	static List<Unit> plan(List<Path> files) {
		List<Unit> units = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (Path f : files) {
			String name = outputName(f);
			if (!names.add(name)) throw new IllegalArgumentException("two inputs would both write " + name + ": rename one");
			int planes = planes(f);
			for (int p = 1; p <= planes; p++) units.add(new Unit(f.toString(), name, p, planes));
		}
		return units;
	}

	static String outputName(Path f) {
		String n = f.getFileName().toString();
		int dot = n.lastIndexOf('.');
		return (dot > 0 ? n.substring(0, dot) : n) + ".tif";
	}

	private static int planes(Path f) {
		String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
		if (!n.endsWith(".tif") && !n.endsWith(".tiff")) return 1;
		FileInfo[] info = Opener.getTiffFileInfo(f.toString());
		if (info == null || info.length == 0) throw new IllegalArgumentException("cannot read the TIFF header of " + f);
		return info.length == 1 ? Math.max(1, info[0].nImages) : info.length;
	}

	static Path planeFile(Path out, Unit u) {
		return out.resolve(".ldm-spark").resolve("planes").resolve(u.name).resolve(String.format(Locale.ROOT, "plane-%05d.tif",
			u.plane));
	}

	static Path marker(Path file) {
		return file.resolveSibling("." + file.getFileName() + ".sha256");
	}

	/** Stage 1: one unit. Returns true when it was computed, false when a previous run had finished it. */
	static boolean processPlane(Unit u, Bundles.Ref ref, PlaneWork work, String outDir, LongAccumulator opens) {
		Path file = planeFile(Paths.get(outDir), u);
		if (DoneMarkers.finished(marker(file), file)) return false;
		ImagePlus imp = open(u.path);
		var ld = SparkUnits.bundle(ref, opens);
		writeTiff(work.compute(ld, imp, u), file);
		DoneMarkers.mark(marker(file), file);
		return true;
	}

	/**
	 * The inpainting units: every (slice, frame) position of every image, with the mask image of the same name
	 * (NAME.tif or NAME.png...: the same file name, else the same name before the extension) in {@code masks}. Every
	 * mask is checked here, before any work starts: missing, of another size, or empty is refused with one line.
	 */
	static List<Unit> planInpainting(List<Path> files, Path masks) {
		if (!Files.isDirectory(masks)) throw new IllegalArgumentException("--masks " + masks + " is not a folder: give the "
			+ "folder of mask images (same file names as the images, non-zero = fill)");
		List<Unit> units = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (Path f : files) {
			String name = outputName(f);
			if (!names.add(name)) throw new IllegalArgumentException("two inputs would both write " + name + ": rename one");
			Path mask = maskFor(f, masks);
			ImagePlus imp = open(f.toString());
			boolean[] m = PlaneInpainter.mask(mask.toString(), imp);
			boolean any = false;
			for (boolean b : m) any |= b;
			if (!any) throw new IllegalArgumentException("mask " + mask + " has no non-zero pixel: mark the region to fill "
				+ "of " + f.getFileName() + " (or leave the image out)");
			int positions = imp.getNSlices() * imp.getNFrames();
			imp.close();
			for (int p = 1; p <= positions; p++) units.add(new Unit(f.toString(), name, p, positions, mask.toString()));
		}
		return units;
	}

	static Path maskFor(Path image, Path masks) {
		String n = image.getFileName().toString();
		Path same = masks.resolve(n);
		if (Files.isRegularFile(same)) return same.toAbsolutePath();
		String stem = outputName(image).replaceFirst("\\.tif$", "");
		for (String ext : List.of(".tif", ".tiff", ".png", ".TIF", ".TIFF", ".PNG")) {
			Path p = masks.resolve(stem + ext);
			if (Files.isRegularFile(p)) return p.toAbsolutePath();
		}
		throw new IllegalArgumentException("no mask for " + image.getFileName() + " in " + masks + ": add " + masks.resolve(n)
			+ " (non-zero pixels = fill), or leave the image out");
	}

	/**
	 * Stage 2: the units of one image as OUT/NAME.tif (their planes one after the other: ImageJ's stack order), with
	 * the source's dimensions and calibration / f.
	 */
	static boolean assemble(Unit first, String outDir) {
		Path out = Paths.get(outDir), file = out.resolve(first.name);
		if (DoneMarkers.finished(marker(file), file)) return false;
		ImagePlus src = open(first.path);
		ImageStack stack = null;
		for (int p = 1; p <= first.planes; p++) {
			Unit u = first.at(p);
			Path pf = planeFile(out, u);
			if (!DoneMarkers.finished(marker(pf), pf)) throw new IllegalStateException(u + " is not finished: run again");
			ImagePlus plane = IJ.openImage(pf.toString());
			if (stack == null) stack = new ImageStack(plane.getWidth(), plane.getHeight());
			for (int k = 1; k <= plane.getStackSize(); k++)
				stack.addSlice(src.getStack().getSliceLabel(stack.getSize() + 1), plane.getStack().getProcessor(k));
		}
		ImagePlus result = new ImagePlus(first.name, stack);
		result.setDimensions(src.getNChannels(), src.getNSlices(), src.getNFrames());
		int f = stack.getWidth() / src.getWidth();
		Calibration cal = src.getCalibration().copy();
		cal.pixelWidth /= f;
		cal.pixelHeight /= f;
		result.setCalibration(cal);
		writeTiff(result, file);
		DoneMarkers.mark(marker(file), file);
		return true;
	}

	/** ImageJ's own TIFF writer into a temporary sibling, moved into place when complete. */
	static void writeTiff(ImagePlus imp, Path file) {
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp.tif");
			try {
				boolean ok = imp.getStackSize() > 1 ? new FileSaver(imp).saveAsTiffStack(tmp.toString())
					: new FileSaver(imp).saveAsTiff(tmp.toString());
				if (!ok) throw new IOException("ImageJ's TIFF writer failed");
				DoneMarkers.move(tmp, file);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
		}
	}

	/** A TIFF as a virtual stack (only the plane asked for is read), anything else whole. */
	static ImagePlus open(String path) {
		String n = path.toLowerCase(Locale.ROOT);
		ImagePlus imp = n.endsWith(".tif") || n.endsWith(".tiff") ? IJ.openVirtual(path) : IJ.openImage(path);
		if (imp == null) throw new IllegalArgumentException("ImageJ cannot read " + path + ": use a TIFF or PNG");
		return imp;
	}

	/** Runs both stages; returns [units computed, units skipped]. */
	static long[] run(JavaSparkContext jsc, ProgressListener progress, List<Unit> units, Bundles.Ref ref, PlaneWork work,
		Path out, LongAccumulator opens)
	{
		String outDir = out.toAbsolutePath().toString();
		progress.begin(work.name(), units.size());
		List<Boolean> computed = jsc.parallelize(units, Math.max(1, units.size()))
			.map(u -> processPlane(u, ref, work, outDir, opens)).collect();
		List<Unit> firsts = units.stream().filter(u -> u.plane == 1).collect(Collectors.toList());
		progress.begin("assembling images", firsts.size());
		jsc.parallelize(firsts, Math.max(1, firsts.size())).map(u -> assemble(u, outDir)).collect();
		long n = computed.stream().filter(b -> b).count();
		return new long[] {n, computed.size() - n};
	}
}
