#!/usr/bin/python3
"""kube_api.py PORT: what kubectl asks of an API server before a client-side
dry run, answered on 127.0.0.1:PORT (there is no API server on these machines).

kubectl apply --dry-run=client needs the server's discovery documents to map
each object's apiVersion and kind to a resource (and to know whether it is
namespaced), then GETs each object to choose between create and patch. This
answers discovery with the built-in resources of the core and apps groups as
a Kubernetes 1.20 API server lists them (no subresources), and 404 to every
other request, so every object is new. It serves no OpenAPI document: schema
checks are test/helpers/kube_schema.py's. Stops after 120 s whatever happens."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
# resource, kind, namespaced
GROUPS = {
    "v1": [
        ("bindings", "Binding", True), ("componentstatuses", "ComponentStatus", False),
        ("configmaps", "ConfigMap", True), ("endpoints", "Endpoints", True),
        ("events", "Event", True), ("limitranges", "LimitRange", True),
        ("namespaces", "Namespace", False), ("nodes", "Node", False),
        ("persistentvolumeclaims", "PersistentVolumeClaim", True),
        ("persistentvolumes", "PersistentVolume", False), ("pods", "Pod", True),
        ("podtemplates", "PodTemplate", True),
        ("replicationcontrollers", "ReplicationController", True),
        ("resourcequotas", "ResourceQuota", True), ("secrets", "Secret", True),
        ("serviceaccounts", "ServiceAccount", True), ("services", "Service", True),
    ],
    "apps/v1": [
        ("controllerrevisions", "ControllerRevision", True), ("daemonsets", "DaemonSet", True),
        ("deployments", "Deployment", True), ("replicasets", "ReplicaSet", True),
        ("statefulsets", "StatefulSet", True),
    ],
}


def resource_list(group_version):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": [{"name": n, "singularName": "", "namespaced": ns, "kind": k, "verbs": VERBS}
                          for n, k, ns in GROUPS[group_version]]}


DOCUMENTS = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": resource_list("v1"),
    "/apis/apps/v1": resource_list("apps/v1"),
}
NOT_FOUND = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": "not found", "reason": "NotFound", "code": 404}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        doc = DOCUMENTS.get(self.path.split("?")[0])
        body = json.dumps(doc or NOT_FOUND).encode()
        self.send_response(200 if doc else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("kube_api: %s\n" % (fmt % args))


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    threading.Timer(120, server.shutdown).start()
    server.serve_forever()
