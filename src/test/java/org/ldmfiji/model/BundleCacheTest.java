package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Bundles kept loaded between commands (issue #19): the second command on a model gets the loaded bundle without
 * hashing or loading again, a changed file is verified again, and releasing frees only what no command holds.
 */
class BundleCacheTest {

	@Test
	void secondOpenReusesTheLoadedBundleWithoutHashingAgain(@TempDir Path tmp) throws Exception {
		Path folder = TestBundles.copy(TestBundles.demo(), tmp.resolve("demo"));
		BundleCache cache = BundleCache.shared();
		ModelBundle first;
		try (ModelBundle b = ModelBundle.cached(folder, Device.cpu())) {
			first = b;
		}
		long hashed = cache.filesHashed();
		try (ModelBundle b = ModelBundle.cached(folder, Device.cpu())) {
			assertSame(first, b, "expected the second command to get the bundle the first one loaded");
			assertEquals(hashed, cache.filesHashed(), "expected no file hashed again for an unchanged bundle");
			decodes(b); // still loaded after the first command closed it
		}
		cache.releaseIdle();
	}

	@Test
	void aFileWhoseModificationTimeChangedIsVerifiedAgain(@TempDir Path tmp) throws Exception {
		Path folder = TestBundles.copy(TestBundles.demo(), tmp.resolve("demo"));
		ModelBundle first;
		try (ModelBundle b = ModelBundle.cached(folder, Device.cpu())) {
			first = b;
		}
		long hashed = BundleCache.shared().filesHashed();
		Path decoder = folder.resolve("decoder.pt");
		Files.setLastModifiedTime(decoder, FileTime.fromMillis(Files.getLastModifiedTime(decoder).toMillis() + 5000));
		try (ModelBundle b = ModelBundle.cached(folder, Device.cpu())) {
			assertNotSame(first, b, "expected a bundle whose file changed to be opened again");
			assertEquals(hashed + 1, BundleCache.shared().filesHashed(), "expected exactly the changed file hashed again");
		}
		// other bytes with a new time are hashed again and refused
		byte[] bytes = Files.readAllBytes(decoder);
		bytes[bytes.length / 2] ^= 1;
		Files.write(decoder, bytes);
		Files.setLastModifiedTime(decoder, FileTime.fromMillis(Files.getLastModifiedTime(decoder).toMillis() + 10000));
		BundleException e = assertThrows(BundleException.class, () -> ModelBundle.cached(folder, Device.cpu()).close());
		assertEquals(true, e.getMessage().contains("SHA-256"), "expected the damaged file refused: " + e.getMessage());
		BundleCache.shared().releaseIdle();
	}

	@Test
	void releaseFreesIdleBundlesOnly(@TempDir Path tmp) throws Exception {
		Path a = TestBundles.copy(TestBundles.demo(), tmp.resolve("a"));
		Path b = TestBundles.copy(TestBundles.demo(), tmp.resolve("b"));
		BundleCache cache = BundleCache.shared();
		cache.releaseIdle();
		ModelBundle idle;
		try (ModelBundle x = ModelBundle.cached(a, Device.cpu())) {
			idle = x;
		}
		try (ModelBundle held = ModelBundle.cached(b, Device.cpu())) {
			assertEquals(1, cache.releaseIdle(), "expected only the bundle no command holds released");
			decodes(held); // the one in use stays loaded
			try (ModelBundle again = ModelBundle.cached(a, Device.cpu())) {
				assertNotSame(idle, again, "expected a released bundle to be loaded again on the next command");
			}
		}
		assertEquals(2, cache.releaseIdle());
		assertEquals(0, cache.size());
	}

	private static void decodes(ModelBundle b) {
		try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
			int c = b.manifest().autoencoder.latentChannels;
			assertEquals(new Shape(1, b.manifest().imageChannels, 16, 16), b.decode(m.zeros(new Shape(1, c, 4, 4))).getShape());
		}
	}
}
