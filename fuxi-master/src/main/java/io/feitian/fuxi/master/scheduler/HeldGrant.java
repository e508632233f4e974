package io.feitian.fuxi.master.scheduler;

/** A grant in force, linked into the lists of its node and of its application. */
final class HeldGrant {
    final Grant grant;
    final NodeState node;
    final AppState app;
    HeldGrant nodePrev;
    HeldGrant nodeNext;
    HeldGrant appPrev;
    HeldGrant appNext;

    HeldGrant(Grant grant, NodeState node, AppState app) {
        this.grant = grant;
        this.node = node;
        this.app = app;
    }

    void link() {
        nodePrev = node.last;
        if (node.last == null) {
            node.first = this;
        } else {
            node.last.nodeNext = this;
        }
        node.last = this;
        node.grantCount++;

        appPrev = app.last;
        if (app.last == null) {
            app.first = this;
        } else {
            app.last.appNext = this;
        }
        app.last = this;
        app.grantCount++;
    }

    void unlink() {
        if (nodePrev == null) {
            node.first = nodeNext;
        } else {
            nodePrev.nodeNext = nodeNext;
        }
        if (nodeNext == null) {
            node.last = nodePrev;
        } else {
            nodeNext.nodePrev = nodePrev;
        }
        node.grantCount--;

        if (appPrev == null) {
            app.first = appNext;
        } else {
            appPrev.appNext = appNext;
        }
        if (appNext == null) {
            app.last = appPrev;
        } else {
            appNext.appPrev = appPrev;
        }
        app.grantCount--;
        nodePrev = nodeNext = appPrev = appNext = null;
    }
}
