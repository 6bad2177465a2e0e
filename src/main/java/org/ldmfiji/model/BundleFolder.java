package org.ldmfiji.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A bundle folder by its real path, and the only way the loader reaches the files in it: every file is resolved to
 * its real path (links followed) and refused unless that lies inside the folder, so that loading a bundle never reads
 * outside it (issue #16). A link to another file of the same folder is fine.
 */
final class BundleFolder {

	private final Path real;

	private BundleFolder(Path real) {
		this.real = real;
	}

	/** The folder as given, by its real path; an error that says what a bundle is when there is none. */
	static BundleFolder of(Path folder) {
		try {
			Path real = folder.toRealPath();
			if (Files.isDirectory(real)) return new BundleFolder(real);
		}
		catch (IOException e) {
			// not there or not readable: the message below
		}
		throw new BundleException("no " + Manifest.FILE_NAME + " in " + folder + ": a model bundle is a folder with "
			+ "model.json and its TorchScript files (see models/README.md)");
	}

	/** The real path of the folder. */
	Path path() {
		return real;
	}

	/**
	 * The real path of a file of the bundle: a plain file inside the folder.
	 *
	 * @param name a file name, already checked to hold no path separators or ".."
	 * @param owner who names the file, for messages ("model 'demo'")
	 */
	Path file(String name, String owner) {
		Path named = real.resolve(name).normalize();
		if (!named.startsWith(real) || named.equals(real)) throw new BundleException(owner + ": '" + name
			+ "' is not a file name inside the bundle folder " + real + ". Re-export the bundle with models/ldm_models/export.py");
		Path file;
		try {
			file = named.toRealPath();
		}
		catch (NoSuchFileException e) {
			throw missing(named, owner);
		}
		catch (IOException e) {
			throw new BundleException(owner + ": cannot resolve " + named + " (" + JsonFields.oneLine(e.toString())
				+ "): check that the bundle folder is readable", e);
		}
		if (!file.startsWith(real)) throw new BundleException(owner + ": " + named + " is a link to " + file
			+ ", outside the bundle folder " + real + "; a bundle is read only from its own folder: copy the file into "
			+ "the folder instead of linking to it");
		if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw new BundleException(owner + ": " + named
			+ " is not a plain file. Copy the complete bundle folder again (or re-export it).");
		return file;
	}

	private static BundleException missing(Path named, String owner) {
		if (named.getFileName().toString().equals(Manifest.FILE_NAME)) return new BundleException("no "
			+ Manifest.FILE_NAME + " in " + named.getParent() + ": a model bundle is a folder with model.json and its "
			+ "TorchScript files (see models/README.md)");
		return new BundleException(owner + ": file " + named + " named in model.json is missing. Copy the complete "
			+ "bundle folder again (or re-export it).");
	}
}
