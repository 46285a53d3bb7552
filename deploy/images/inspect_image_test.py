#!/usr/bin/env python3
"""Shows that inspect_image.py passes a well-made image and catches each fault it is meant to.

    python3 deploy/images/inspect_image_test.py     (check.sh runs it before building the images)

Each case writes a small OCI image tarball, shaped like Jib's output, with one fault.
"""
import contextlib
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inspect_image  # noqa: E402

NAME, TAG = "sluice/ingress-service", "0.1.0-SNAPSHOT"
GOOD_PROPERTIES = ("quarkus.application.name=sluice-ingress\n"
                   "%test.sluice.bounce.api.token=test-token\n"
                   "quarkus.datasource.password=${DB_PASSWORD:}\n")
ENTRYPOINT = ["/opt/java/bin/java", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-jar",
              "/deployments/quarkus-run.jar"]


def app_jar(properties):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as jar:
        jar.writestr("application.properties", properties)
        jar.writestr("io/sluice/Main.class", b"\xca\xfe\xba\xbe")
    return out.getvalue()


def layer(files):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(out.getvalue())


def image(path, ref=f"{NAME}:{TAG}", user="10001:10001", entrypoint=ENTRYPOINT, properties=GOOD_PROPERTIES,
          extra_files=None, oci=True, corrupt_layer=False):
    files = {"opt/java/bin/java": b"#!/bin/sh\n", "deployments/quarkus-run.jar": b"PK",
             "deployments/app/ingress-service-0.1.0-SNAPSHOT.jar": app_jar(properties)}
    files.update(extra_files or {})
    blobs = {}

    def add(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return digest

    layer_data = layer(files)
    layer_digest = add(layer_data)
    config = {"architecture": "amd64", "os": "linux",
              "config": {"User": user, "Entrypoint": entrypoint, "WorkingDir": "/deployments"},
              "rootfs": {"type": "layers", "diff_ids": []}}
    config_digest = add(json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": inspect_image.OCI_MANIFEST,
                "config": {"mediaType": inspect_image.OCI_CONFIG, "digest": config_digest},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest}]}
    manifest_data = json.dumps(manifest).encode()
    manifest_digest = add(manifest_data)
    index = {"schemaVersion": 2, "mediaType": inspect_image.OCI_INDEX,
             "manifests": [{"mediaType": inspect_image.OCI_MANIFEST, "digest": manifest_digest,
                            "size": len(manifest_data),
                            "annotations": {"org.opencontainers.image.ref.name": ref}}]}
    if corrupt_layer:
        blobs[layer_digest] = layer_data[:-1] + bytes([layer_data[-1] ^ 1])
    with tarfile.open(path, "w") as tar:
        entries = {"index.json": json.dumps(index).encode()} if oci else {"manifest.json": b"[]"}
        if oci:
            entries["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
        for digest, data in blobs.items():
            entries["blobs/sha256/" + digest.split(":")[1]] = data
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


class InspectImageTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def findings(self, **kwargs):
        with contextlib.redirect_stdout(io.StringIO()):
            return inspect_image.inspect(image(os.path.join(self.dir.name, "image.tar"), **kwargs), NAME, TAG)

    def assertFinding(self, text, **kwargs):
        found = self.findings(**kwargs)
        self.assertTrue(any(text in f for f in found), f"expected a finding with {text!r}, got {found}")

    def test_a_well_made_image_passes(self):
        self.assertEqual([], self.findings())

    def test_the_tag_latest_fails(self):
        self.assertFinding("latest", ref=f"{NAME}:latest")

    def test_a_tag_other_than_the_version_fails(self):
        self.assertFinding("expected", ref=f"{NAME}:0.0.9")

    def test_root_fails(self):
        self.assertFinding("config user", user="0:0")
        self.assertFinding("config user", user="")

    def test_another_entrypoint_fails(self):
        self.assertFinding("entrypoint", entrypoint=["/bin/sh", "-c", "java -jar app.jar"])

    def test_an_entrypoint_that_leaves_the_collector_to_ergonomics_fails(self):
        self.assertFinding("garbage collector",
                           entrypoint=["/opt/java/bin/java", "-jar", "/deployments/quarkus-run.jar"])

    def test_key_and_keystore_files_fail(self):
        self.assertFinding("key or keystore", extra_files={"deployments/tls.key": b"x"})
        self.assertFinding("key or keystore", extra_files={"etc/sluice/smtp.p12": b"x"})

    def test_a_pem_private_key_among_the_application_files_fails(self):
        self.assertFinding("PEM private key",
                           extra_files={"deployments/config/tls.pem": b"-----BEGIN PRIVATE KEY-----\nMII\n"})

    def test_a_token_or_password_in_application_properties_fails(self):
        self.assertFinding("sluice.bounce.api.token", properties=GOOD_PROPERTIES + "sluice.bounce.api.token=s3cret\n")
        self.assertFinding("quarkus.datasource.password",
                           properties=GOOD_PROPERTIES + "%prod.quarkus.datasource.password=hunter2\n")

    def test_a_docker_format_tarball_fails(self):
        self.assertFinding("not an OCI image layout", oci=False)

    def test_a_blob_that_does_not_match_its_digest_fails(self):
        self.assertFinding("does not match its digest", corrupt_layer=True)


if __name__ == "__main__":
    unittest.main(verbosity=1)
