"""The page-view beacon: storefront and product pages report a view without waiting for an answer."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

COLLECT_PATH = "/api/analytics/collect"


def page_view_beacon(kind: str, handle: str, product: str = "") -> Any:
    """A script that posts {kind, handle, product, url, referrer} with navigator.sendBeacon (fetch keepalive as a
    fallback); the server reads the IP and user agent from the request and stores neither."""
    fields = json.dumps({"kind": kind, "handle": handle, "product": product})
    script = (
        "(function(){try{var d=" + fields + ";d.url=location.href;d.referrer=document.referrer;"
        "var b=JSON.stringify(d);var u=" + json.dumps(COLLECT_PATH) + ";"
        "if(navigator.sendBeacon&&navigator.sendBeacon(u,new Blob([b],{type:'application/json'}))){return;}"
        "fetch(u,{method:'POST',body:b,keepalive:true,headers:{'Content-Type':'application/json'}});"
        "}catch(e){}})()"
    )
    return rx.call_script(script)
