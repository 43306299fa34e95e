# Tests of the API and the sentinel (Check), run under the freshly built preload.
