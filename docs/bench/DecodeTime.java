// DecodeTime: per-image cost of decoding, and of decoding + EXIF + Inception-ResNet-v2 center crop, on one thread.
// javac -cp pipeline/target/inception-pipeline.jar -d /tmp/dt docs/bench/DecodeTime.java
// java -cp pipeline/target/inception-pipeline.jar:/tmp/dt DecodeTime samples/images/*.jpg samples/images/[chr]*.png
import io.inceptionpipeline.operators.decode.*;
import io.inceptionpipeline.models.image.RgbImage;
import java.nio.file.*;
import java.util.*;
public class DecodeTime {
  public static void main(String[] a) throws Exception {
    ImageDecoder dec = new ImageDecoder();
    ImagePreparer prep = new ImagePreparer(new PrepareConfig("inception_resnet_v2", "center", ImageDecoder.DEFAULT_MAX_PIXELS, true, IccMode.IGNORE));
    for (String f : a) {
      byte[] b = Files.readAllBytes(Path.of(f));
      for (int w = 0; w < 30; w++) { prep.prepare(b); }
      int n = 60; long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) dec.decode(b);
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) prep.prepare(b);
      long t2 = System.nanoTime();
      RgbImage im = dec.decode(b);
      System.out.printf("%-45s %dx%d  decode %.1f ms  decode+exif+crop %.1f ms%n", Path.of(f).getFileName(), im.width(), im.height(), (t1-t0)/1e6/n, (t2-t1)/1e6/n);
    }
  }
}
