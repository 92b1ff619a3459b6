// DecodeTime: per-image cost of decoding, of the Inception-ResNet-v2 center crop (Pillow-exact resize),
// and of both with EXIF (ImagePreparer.prepare, what the job's decode operator runs), on one thread.
// Each photo 60 times after 30 warm-up rounds; ImageIO's disk cache off, as in the job.
// javac -cp pipeline/target/inception-pipeline.jar -d /tmp/dt docs/bench/DecodeTime.java
// java -cp pipeline/target/inception-pipeline.jar:/tmp/dt DecodeTime samples/images/*.jpg samples/images/[chr]*.png
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.Preprocessor;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.operators.decode.*;
import java.nio.file.*;
import javax.imageio.ImageIO;
public class DecodeTime {
  public static void main(String[] a) throws Exception {
    ImageIO.setUseCache(false);
    ImageDecoder dec = new ImageDecoder();
    Preprocessor crop = ModelRegistry.get("inception_resnet_v2").preprocessor();
    ImagePreparer prep = new ImagePreparer(new PrepareConfig("inception_resnet_v2", "center", ImageDecoder.DEFAULT_MAX_PIXELS, true, IccMode.IGNORE));
    double[] sum = new double[3];
    for (String f : a) {
      byte[] b = Files.readAllBytes(Path.of(f));
      RgbImage im = dec.decode(b);
      for (int w = 0; w < 30; w++) { prep.prepare(b); }
      int n = 60; long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) dec.decode(b);
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) crop.crops(im, CropMode.CENTER);
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) prep.prepare(b);
      long t3 = System.nanoTime();
      double[] ms = {(t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n, (t3 - t2) / 1e6 / n};
      for (int i = 0; i < 3; i++) sum[i] += ms[i] / a.length;
      System.out.printf("%-12s %4dx%-4d  decode %5.2f ms  crop %5.2f ms  decode+exif+crop %5.2f ms%n", Path.of(f).getFileName(), im.width(), im.height(), ms[0], ms[1], ms[2]);
    }
    System.out.printf("%-22s  decode %5.2f ms  crop %5.2f ms  decode+exif+crop %5.2f ms%n", "mean", sum[0], sum[1], sum[2]);
  }
}
