package org.ldmfiji.cli;

import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.Manifest;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The files a run reads and writes, checked before any model is loaded or any step computed: every input exists and
 * is readable; every output (the main one and its side files) is a file name in an existing, writable folder with room
 * for its estimated size, is not a device, pipe or socket, is none of the inputs (compared as files: links included)
 * and lies outside the model's folder (a result written over a part of the bundle would break it).
 */
final class OutputPlan {

	/** A file of the run and the option that names it ("--mask"). */
	private static class File {
		final String what;
		final Path path;

		File(String what, Path path) {
			this.what = what;
			this.path = path;
		}
	}

	private static final class Output extends File {
		final LongSupplier bytes;
		/** The image's bit depth and planes, which the file's format must hold (0: not an image of known shape). */
		final int bitDepth;
		final long planes;

		Output(String what, Path path, LongSupplier bytes, int bitDepth, long planes) {
			super(what, path);
			this.bytes = bytes;
			this.bitDepth = bitDepth;
			this.planes = planes;
		}
	}

	/** Room kept free beyond the estimate: the TIFF header and metadata, and the file system's own blocks. */
	static final long MARGIN = 1 << 20;

	private final List<File> inputs = new ArrayList<>();
	private final List<Output> outputs = new ArrayList<>();
	private String model;
	private Path modelFolder;
	private Manifest manifest;

	/** An input of the run, checked at once: a readable file. {@code what} names it for the user ("--mask"). */
	OutputPlan input(String what, Path path) {
		if (!Files.exists(path)) throw new IllegalArgumentException(what + " " + path + " does not exist (check the path)");
		if (!Files.isRegularFile(path)) throw new IllegalArgumentException(what + " " + path + " is not a file");
		if (!Files.isReadable(path)) throw new IllegalArgumentException("cannot read " + what + " " + path
			+ ": Permission denied");
		inputs.add(new File(what, path));
		return this;
	}

	/** The run's model (name or path), whose folder no output may be written into (looked up after the other checks). */
	OutputPlan model(String nameOrPath) {
		model = nameOrPath;
		return this;
	}

	/** The model's manifest, read once without loading the model (sizes of outputs, checks of options). */
	Manifest manifest() {
		if (manifest == null) manifest = Manifest.read(modelFolder());
		return manifest;
	}

	private Path modelFolder() {
		if (modelFolder == null) modelFolder = BundleLocator.standard().find(model);
		return modelFolder;
	}

	/** An output of the run and the bytes it will take (asked only once every path passed its checks). */
	OutputPlan output(String what, Path path, LongSupplier bytes) {
		outputs.add(new Output(what, path, bytes, 0, 0));
		return this;
	}

	/** An output image of that bit depth and number of planes, which its file's format must hold (a PNG: one, 8-bit). */
	OutputPlan image(String what, Path path, int bitDepth, long planes, LongSupplier bytes) {
		outputs.add(new Output(what, path, bytes, bitDepth, planes));
		return this;
	}

	/** Throws IllegalArgumentException, naming the path and what to do, for the first output that cannot be written. */
	void check() {
		for (Output o : outputs) {
			requireFolder(o);
			for (File in : inputs) requireNotSame(o, in);
			if (o.bitDepth > 0) ImageFiles.requireStorable(o.path, o.bitDepth, o.planes);
		}
		if (model != null) {
			Path folder = modelFolder();
			for (Output o : outputs) requireOutside(o, folder);
		}
		Map<FileStore, Long> need = new LinkedHashMap<>();
		Map<FileStore, Output> first = new LinkedHashMap<>();
		for (Output o : outputs) {
			FileStore store;
			try {
				store = Files.getFileStore(folder(o.path));
			}
			catch (IOException e) {
				throw new IllegalArgumentException(IoReason.cannotWrite(o.path, e).getMessage(), e);
			}
			need.merge(store, o.bytes.getAsLong(), Long::sum);
			first.putIfAbsent(store, o);
		}
		need.forEach((store, bytes) -> {
			long free;
			try {
				free = store.getUsableSpace();
			}
			catch (IOException e) {
				return; // nothing to compare with: the write itself will say
			}
			long wanted = bytes + MARGIN + bytes / 50;
			Path path = first.get(store).path;
			if (free < wanted) throw new IllegalArgumentException(String.format(Locale.ROOT, "cannot write %s: about %s "
				+ "needed, %s free on %s (free space there, or choose another --output)", path, size(wanted), size(free),
				folder(path)));
		});
	}

	private static void requireFolder(Output o) {
		if (Files.isDirectory(o.path)) throw new IllegalArgumentException("cannot write " + o.path
			+ ": it is a folder (give " + o.what + " a file name)");
		Path folder = folder(o.path);
		if (!Files.isDirectory(folder)) {
			Path existing = folder;
			while (existing != null && !Files.exists(existing)) existing = existing.getParent();
			if (existing != null && !Files.isDirectory(existing)) throw new IllegalArgumentException("cannot write " + o.path
				+ ": " + existing + " is a file, not a folder (choose another " + o.what + ")");
			throw new IllegalArgumentException("cannot write " + o.path + ": no folder " + folder + " (create it, or choose "
				+ "another " + o.what + ")");
		}
		try {
			Files.delete(Files.createTempFile(folder, ".ldm-check-", ".tmp"));
		}
		catch (IOException e) {
			throw new IllegalArgumentException(IoReason.cannotWrite(o.path, e).getMessage(), e);
		}
		if (Files.exists(o.path) && !Files.isRegularFile(o.path)) throw new IllegalArgumentException("cannot write " + o.path
			+ ": it is not a regular file (a device, pipe or socket; choose another " + o.what + ")");
		if (Files.exists(o.path) && !Files.isWritable(o.path)) throw new IllegalArgumentException("cannot write " + o.path
			+ ": the file is read-only (make it writable, or choose another " + o.what + ")");
	}

	private static void requireNotSame(Output o, File in) {
		boolean same;
		try {
			same = Files.exists(o.path) && Files.isSameFile(o.path, in.path);
		}
		catch (IOException e) {
			same = o.path.toAbsolutePath().normalize().equals(in.path.toAbsolutePath().normalize());
		}
		if (same) throw new IllegalArgumentException(o.what + " " + o.path + " is the same file as " + in.what + " "
			+ in.path + ": choose another --output (the run would overwrite its input)");
	}

	private static void requireOutside(Output o, Path modelFolder) {
		Path folder, bundle;
		try {
			folder = folder(o.path).toRealPath();
			bundle = modelFolder.toRealPath();
		}
		catch (IOException e) {
			return; // a folder that cannot be resolved was refused above, or the model's loading will say
		}
		if (folder.startsWith(bundle)) throw new IllegalArgumentException(o.what + " " + o.path + " is inside the model's "
			+ "folder " + modelFolder + ": choose another --output (the run would overwrite or add to the bundle)");
	}

	private static Path folder(Path path) {
		return path.toAbsolutePath().getParent();
	}

	private static String size(long bytes) {
		return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9)
			: String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
	}
}
