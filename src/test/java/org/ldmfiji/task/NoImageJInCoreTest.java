package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The core speaks ImgLib2 (STYLE.md): no {@code ij.*} import in model/, diffusion/, tiling/, service/ or task/, with
 * no exception (the ImagePlus jobs live in imagej/, beside the shells that use them).
 */
class NoImageJInCoreTest {

	private static final Pattern IJ_IMPORT = Pattern.compile("(?m)^import\\s+(static\\s+)?ij\\.");

	@Test
	void coreSourcesImportNoImageJ() throws IOException {
		Set<String> offenders = new TreeSet<>();
		for (String pkg : List.of("model", "diffusion", "tiling", "service", "task")) {
			Path dir = Path.of("src/main/java/org/ldmfiji", pkg);
			if (!Files.isDirectory(dir)) continue;
			try (Stream<Path> files = Files.walk(dir)) {
				for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
					if (IJ_IMPORT.matcher(Files.readString(f)).find()) offenders.add(f.toString());
				}
			}
		}
		assertEquals(Set.of(), offenders, "these core classes import ij.*: convert ImagePlus in the shells (imagej/, "
			+ "command/, ij1/, cli/, image/IjImages) and pass ImgLib2 images or FloatPlanes into the core");
	}
}
