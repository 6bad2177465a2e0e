package org.ldmfiji.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Symbols of the libtorch that DJL loaded (c10's {@code FLAGS_*} variables, ATen functions), reached through JNA
 * for the switches DJL's JNI does not offer. Best effort: null where the library or the symbol cannot be found
 * (another libtorch build, another platform's name mangling).
 */
final class LibtorchSymbols {

	private LibtorchSymbols() {}

	/** The global variable {@code name} of libc10 in {@code libtorchDir} (DJL's {@code LibUtils.getLibtorchPath()}). */
	static Pointer c10Flag(String libtorchDir, String name) {
		return lookup(libtorchDir, "c10", c10 -> c10.getGlobalVariableAddress(name));
	}

	/** The function {@code symbol} (its linker name) of libtorch_cpu in {@code libtorchDir}. */
	static Function torchCpuFunction(String libtorchDir, String symbol) {
		return lookup(libtorchDir, "torch_cpu", torch -> torch.getFunction(symbol));
	}

	private static <T> T lookup(String libtorchDir, String name, java.util.function.Function<NativeLibrary, T> symbol) {
		NativeLibrary library = library(libtorchDir, name);
		try {
			return library == null ? null : symbol.apply(library);
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			return null;
		}
	}

	private static NativeLibrary library(String libtorchDir, String name) {
		if (libtorchDir == null) return null;
		Path dir = Paths.get(libtorchDir);
		Path file = dir.resolve(System.mapLibraryName(name));
		if (!Files.isRegularFile(file)) file = dir.resolve("lib").resolve(System.mapLibraryName(name));
		if (!Files.isRegularFile(file)) return null;
		try {
			// the library DJL already loaded: the same file, so dlopen hands back the same copy
			return NativeLibrary.getInstance(file.toString());
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			return null;
		}
	}
}
