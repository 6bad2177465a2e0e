package org.ldmfiji.model;

import java.nio.file.Path;
import java.util.List;

/**
 * Opens a model bundle the way every entry point names it: by name (searched in the standard models folders,
 * {@link BundleLocator#standard}) or by folder path, on the session's device (the GPU when DJL sees CUDA, unless LDM
 * Engine Info or -Dldm.device chose otherwise).
 */
public final class Bundles {

	private Bundles() {}

	public static ModelBundle open(String nameOrPath) {
		return open(nameOrPath, List.of());
	}

	/** {@link #open(String)}, also searching {@code <app>/models/ldm/} of the given application folders. */
	public static ModelBundle open(String nameOrPath, List<Path> appFolders) {
		return ModelBundle.cached(BundleLocator.standard(appFolders).find(nameOrPath),
			TorchRuntime.device(TorchRuntime.preference()));
	}
}
