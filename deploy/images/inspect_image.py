#!/usr/bin/env python3
"""Checks one service image tarball written by jib:buildTar (OCI format) without Docker.

    inspect_image.py <image.tar> --name sluice/<service> --tag <version> [--unpack <dir>]

Fails (exit 1, one line per finding) unless:
  - the tarball is an OCI image layout (oci-layout, index.json, blobs/sha256) whose blobs match
    their digests;
  - the image is named <name>:<tag>, the tag being the project version and never `latest`;
  - the config runs as 10001:10001 with the fast-jar entrypoint under /opt/java, naming its
    garbage collector;
  - no layer holds a key or keystore file, and the application.properties inside the
    application's own jar sets no token, password or secret outside the public %test/%dev/%local
    profiles.
With --unpack the layers are extracted, in order and as root with their owners, into <dir>, and
the image config is written to <dir>.config.json, so that check.sh can run the image.
"""
import argparse
import fnmatch
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
USER = "10001:10001"
ENTRYPOINT_HEAD = "/opt/java/bin/java"
ENTRYPOINT_TAIL = ["-jar", "/deployments/quarkus-run.jar"]
# Ergonomics picks Serial GC in a pod under 2 CPUs or 1792 MiB; the collector must be named.
GC_FLAG = re.compile(r"^-XX:\+Use[A-Za-z0-9]+GC$")
# Files that hold private keys or keystores; the JDK's trust store (lib/security/cacerts) is none.
SECRET_FILES = ["*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.bcfks", "id_rsa*", "id_ecdsa*",
                "id_ed25519*", ".env", "*.credentials", "credentials"]
SECRET_KEY = re.compile(r"(token|password|passwd|secret|credential|private[-_.]?key|sasl\.jaas)", re.I)
PUBLIC_PROFILES = ("%test.", "%dev.", "%local.")
PRIVATE_KEY_TEXT = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")

findings = []


def fail(message):
    findings.append(message)


def read_member(tar, name):
    member = tar.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def blob(tar, digest):
    algorithm, hexdigest = digest.split(":", 1)
    data = read_member(tar, f"blobs/{algorithm}/{hexdigest}")
    if hashlib.new(algorithm, data).hexdigest() != hexdigest:
        fail(f"blob {digest} does not match its digest")
    return data


def check_layout(tar, name, tag):
    names = set(tar.getnames())
    for required in ("oci-layout", "index.json"):
        if required not in names:
            fail(f"{required} missing: not an OCI image layout")
            return None, None
    layout = json.loads(read_member(tar, "oci-layout"))
    if layout.get("imageLayoutVersion") != "1.0.0":
        fail(f"oci-layout has imageLayoutVersion {layout.get('imageLayoutVersion')!r}, not 1.0.0")
    index = json.loads(read_member(tar, "index.json"))
    if index.get("mediaType", OCI_INDEX) != OCI_INDEX or len(index.get("manifests", [])) != 1:
        fail(f"index.json should list exactly one manifest: {index}")
        return None, None
    descriptor = index["manifests"][0]
    if descriptor.get("mediaType") != OCI_MANIFEST:
        fail(f"manifest media type is {descriptor.get('mediaType')}, not {OCI_MANIFEST}")
    ref = descriptor.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
    ref_tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else ""
    if ref_tag == "latest" or ref_tag == "":
        fail(f"image reference {ref!r} has no tag or the tag latest")
    if ref != f"{name}:{tag}" and ref_tag != tag:
        fail(f"image reference is {ref!r}, expected {name}:{tag}")
    manifest = json.loads(blob(tar, descriptor["digest"]))
    if manifest.get("config", {}).get("mediaType") != OCI_CONFIG:
        fail(f"config media type is {manifest.get('config', {}).get('mediaType')}, not {OCI_CONFIG}")
    config = json.loads(blob(tar, manifest["config"]["digest"]))
    print(f"  reference {ref}, {len(manifest['layers'])} layers")
    return manifest, config


def check_config(config):
    run = config.get("config", {})
    if run.get("User") != USER:
        fail(f"config user is {run.get('User')!r}, expected {USER}")
    entrypoint = run.get("Entrypoint") or []
    if not entrypoint or entrypoint[0] != ENTRYPOINT_HEAD or entrypoint[-2:] != ENTRYPOINT_TAIL:
        fail(f"entrypoint is {entrypoint}, expected {ENTRYPOINT_HEAD} ... {' '.join(ENTRYPOINT_TAIL)}")
    elif not any(GC_FLAG.match(arg) for arg in entrypoint):
        fail(f"entrypoint {entrypoint} names no garbage collector (e.g. -XX:+UseG1GC); JVM ergonomics"
             " would choose one from the pod's limits")
    if config.get("os") != "linux" or config.get("architecture") != "amd64":
        fail(f"platform is {config.get('os')}/{config.get('architecture')}, expected linux/amd64")
    print(f"  user {run.get('User')}, entrypoint {' '.join(entrypoint)}")


def secret_properties(text, where):
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#!" or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if SECRET_KEY.search(key) and value and not key.startswith(PUBLIC_PROFILES):
            # A reference such as ${ENV_VAR} or an empty default is not a secret.
            if not re.fullmatch(r"\$\{[^}:]*(:)?\}", value):
                fail(f"{where}:{number}: {key} carries a value in the image")


def check_application_jar(data, where):
    with zipfile.ZipFile(io.BytesIO(data)) as jar:
        names = jar.namelist()
        for entry in names:
            if entry.endswith("application.properties"):
                secret_properties(jar.read(entry).decode("utf-8", "replace"), f"{where}!{entry}")
            if any(fnmatch.fnmatch(os.path.basename(entry), p) for p in SECRET_FILES):
                fail(f"{where}!{entry}: a key or keystore file in the application")
            elif PRIVATE_KEY_TEXT.search(jar.read(entry)):
                fail(f"{where}!{entry}: holds a PEM private key")


def check_layers(tar, manifest):
    app_jars = 0
    for descriptor in manifest["layers"]:
        with tarfile.open(fileobj=io.BytesIO(blob(tar, descriptor["digest"]))) as layer:
            for member in layer:
                path = "/" + member.name.lstrip("./")
                base = os.path.basename(path)
                if member.isfile() and any(fnmatch.fnmatch(base, p) for p in SECRET_FILES):
                    fail(f"{path}: a key or keystore file in the image")
                if member.isfile() and path.startswith("/deployments/") and not path.endswith(".jar"):
                    if base == "application.properties":
                        secret_properties(layer.extractfile(member).read().decode("utf-8", "replace"), path)
                    elif PRIVATE_KEY_TEXT.search(layer.extractfile(member).read()):
                        fail(f"{path}: holds a PEM private key")
                # The service's own code: Quarkus's fast-jar puts it in /deployments/app.
                if member.isfile() and path.startswith("/deployments/app/") and path.endswith(".jar"):
                    app_jars += 1
                    check_application_jar(layer.extractfile(member).read(), path)
    if app_jars == 0:
        fail("no application jar under /deployments/app: not a Quarkus fast-jar image")


def unpack(tar, manifest, directory):
    os.makedirs(directory, exist_ok=True)
    for descriptor in manifest["layers"]:
        algorithm, hexdigest = descriptor["digest"].split(":", 1)
        data = read_member(tar, f"blobs/{algorithm}/{hexdigest}")
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        # GNU tar as root keeps owners and modes, as a container runtime does. Jib's layers add
        # files only; a whiteout would mean a deletion this simple unpacking does not apply.
        listing = subprocess.run(["tar", "-xvf", "-", "-C", directory, "--numeric-owner", "--same-owner"],
                                 input=data, capture_output=True, check=True).stdout.decode()
        if any(os.path.basename(p).startswith(".wh.") for p in listing.splitlines()):
            fail(f"layer {descriptor['digest']} has whiteouts; unpacking does not apply them")


def inspect(tarball, name, tag, unpack_into=None):
    """Returns the findings; with unpack_into, a clean image is also unpacked there."""
    findings.clear()
    with tarfile.open(tarball) as tar:
        manifest, config = check_layout(tar, name, tag)
        if manifest is not None:
            check_config(config)
            check_layers(tar, manifest)
            if unpack_into and not findings:
                unpack(tar, manifest, unpack_into)
                with open(unpack_into.rstrip("/") + ".config.json", "w") as out:
                    json.dump(config, out)
    return list(findings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball")
    parser.add_argument("--name", required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--unpack")
    args = parser.parse_args()
    if args.tag == "latest":
        sys.exit("inspect_image.py: the expected tag may not be latest")
    print(f"{args.tarball}:")
    problems = inspect(args.tarball, args.name, args.tag, args.unpack)
    for problem in problems:
        print(f"  FAIL {problem}")
    if problems:
        sys.exit(1)
    print("  ok")


if __name__ == "__main__":
    main()
