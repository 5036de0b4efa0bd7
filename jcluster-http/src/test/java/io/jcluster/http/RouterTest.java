package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Handler A = (req, res) -> { };
    private static final Handler B = (req, res) -> { };
    private static final Handler C = (req, res) -> { };

    private static Router.Match find(Router r, int method, String path) {
        return r.find(method, Router.segments(path));
    }

    private static String param(Router.Match m, String name) {
        String[] names = m.route().params();
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return m.values()[i];
            }
        }
        return null;
    }

    @Test
    void matchesStaticAndParamSegmentsAndExtractsDecodedValues() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/users/:id", A);
        b.add(Router.GET, "/users/:id/posts/:post", B);
        Router r = b.build();

        Router.Match m = find(r, Router.GET, "/users/42");
        assertThat(m.route().handler()).isSameAs(A);
        assertThat(param(m, "id")).isEqualTo("42");

        m = find(r, Router.GET, "/users/j%C3%B6rg%2Fx/posts/7");
        assertThat(m.route().handler()).isSameAs(B);
        assertThat(param(m, "id")).isEqualTo("jörg/x");
        assertThat(param(m, "post")).isEqualTo("7");

        assertThat(find(r, Router.GET, "/users")).isNull();
        assertThat(find(r, Router.GET, "/users/42/posts")).isNull();
        assertThat(find(r, Router.GET, "/users//posts/1")).isNull(); // empty segment is no parameter value
    }

    @Test
    void ignoresOneTrailingSlashAndIsCaseSensitive() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/about/", A);
        Router r = b.build();
        assertThat(find(r, Router.GET, "/about")).isNotNull();
        assertThat(find(r, Router.GET, "/about/")).isNotNull();
        assertThat(find(r, Router.GET, "/About")).isNull();
        assertThat(find(r, Router.GET, "/about/x")).isNull();
    }

    @Test
    void rootRoute() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/", A);
        Router r = b.build();
        assertThat(find(r, Router.GET, "/").route().handler()).isSameAs(A);
        assertThat(find(r, Router.GET, "/x")).isNull();
    }

    @Test
    void trailingWildcardMatchesTheRestIncludingNothing() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/static/*", A);
        Router r = b.build();
        assertThat(find(r, Router.GET, "/static/css/site.css").rest()).isEqualTo("css/site.css");
        assertThat(find(r, Router.GET, "/static/a").rest()).isEqualTo("a");
        assertThat(find(r, Router.GET, "/static").rest()).isEqualTo("");
        assertThat(find(r, Router.GET, "/other/a")).isNull();
    }

    @Test
    void wildcardOnlyAsLastSegment() {
        Router.Builder b = new Router.Builder();
        assertThatThrownBy(() -> b.add(Router.GET, "/a/*/b", A))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("last segment");
        assertThatThrownBy(() -> b.add(Router.GET, "/a/b*", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(Router.GET, "no-slash", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(Router.GET, "/a/:", A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(Router.GET, "/a/:x/:x", A))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> b.add(Router.GET, "/a?b", A)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void staticBeatsParamBeatsWildcardWhateverTheOrder() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/files/*", C);
        b.add(Router.GET, "/files/:name", B);
        b.add(Router.GET, "/files/readme", A);
        Router r = b.build();
        assertThat(find(r, Router.GET, "/files/readme").route().handler()).isSameAs(A);
        assertThat(find(r, Router.GET, "/files/other").route().handler()).isSameAs(B);
        assertThat(find(r, Router.GET, "/files/a/b").route().handler()).isSameAs(C);
    }

    @Test
    void backtracksFromAStaticBranchThatFailsDeeper() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/users/me/settings", A);
        b.add(Router.GET, "/users/:id/posts", B);
        Router r = b.build();
        Router.Match m = find(r, Router.GET, "/users/me/posts");
        assertThat(m.route().handler()).isSameAs(B);
        assertThat(param(m, "id")).isEqualTo("me");
    }

    @Test
    void backtracksOnMethodToo() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/users/me", A);
        b.add(Router.POST, "/users/:id", B);
        Router r = b.build();
        assertThat(find(r, Router.POST, "/users/me").route().handler()).isSameAs(B);
        assertThat(find(r, Router.GET, "/users/me").route().handler()).isSameAs(A);
        assertThat(find(r, Router.GET, "/users/you")).isNull();
        assertThat(r.allowed(Router.segments("/users/you"))).isEqualTo("POST");
    }

    @Test
    void tells404From405WithTheAllowedMethods() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/items", A);
        b.add(Router.POST, "/items", B);
        b.add(Router.DELETE, "/items/:id", C);
        Router r = b.build();
        assertThat(find(r, Router.PUT, "/items")).isNull();
        assertThat(r.allowed(Router.segments("/items"))).isEqualTo("GET, HEAD, POST");
        assertThat(r.allowed(Router.segments("/items/3"))).isEqualTo("DELETE");
        assertThat(r.allowed(Router.segments("/nothing"))).isNull();
        assertThat(r.allowed(Router.segments("/items/3/x"))).isNull();
    }

    @Test
    void headFallsBackToGetUnlessAHeadRouteExists() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/a", A);
        b.add(Router.GET, "/b", A);
        b.add(Router.HEAD, "/b", B);
        Router r = b.build();
        assertThat(find(r, Router.HEAD, "/a").route().handler()).isSameAs(A);
        assertThat(find(r, Router.HEAD, "/b").route().handler()).isSameAs(B);
        assertThat(find(r, Router.POST, "/a")).isNull();
    }

    @Test
    void allMatchesEveryMethodButLosesToTheExactMethod() {
        Router.Builder b = new Router.Builder();
        b.add(Router.ALL, "/x", A);
        b.add(Router.GET, "/x", B);
        Router r = b.build();
        assertThat(find(r, Router.GET, "/x").route().handler()).isSameAs(B);
        assertThat(find(r, Router.HEAD, "/x").route().handler()).isSameAs(B);
        assertThat(find(r, Router.PATCH, "/x").route().handler()).isSameAs(A);
        assertThat(find(r, Router.OTHER, "/x").route().handler()).isSameAs(A);
    }

    @Test
    void conflictsFailAtRegistration() {
        Router.Builder b = new Router.Builder();
        b.add(Router.GET, "/users/:id", A);
        assertThatThrownBy(() -> b.add(Router.GET, "/users/:uid", B))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GET /users/:uid")
                .hasMessageContaining("GET /users/:id");
        assertThatThrownBy(() -> b.add(Router.GET, "/users/:id/", B)).isInstanceOf(IllegalArgumentException.class);
        b.add(Router.POST, "/users/:id", B); // another method is no conflict
        b.add(Router.GET, "/users/:id/*", B); // nor is a wildcard below it
        b.add(Router.ALL, "/users/:id", C);
        assertThatThrownBy(() -> b.add(Router.ALL, "/users/:x", C)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.size()).isEqualTo(4);
    }

    @Test
    void segmentsDecodeEachSegmentSoAnEncodedSlashStaysInside() {
        assertThat(Router.segments("/")).isEmpty();
        assertThat(Router.segments("/a/b%2Fc/")).containsExactly("a", "b/c");
        assertThat(Router.segments("/a+b/%20")).containsExactly("a+b", " ");
        assertThat(Router.segments("/a//b")).containsExactly("a", "", "b");
        assertThatThrownBy(() -> Router.segments("/bad%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Router.segments("/bad%2")).isInstanceOf(IllegalArgumentException.class);
    }
}
