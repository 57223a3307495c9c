package gitconfig

// ExpandHome exposes expandHome to the tests.
var ExpandHome = expandHome
