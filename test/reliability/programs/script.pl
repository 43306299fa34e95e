# Run by programs.sh under perl.
use strict; use warnings;
my %h; my @lines;
for my $i (1 .. 50000) { my $s = sprintf("%06d-%s", $i * 7919 % 100003, join("", map { chr(97 + ($i * $_) % 26) } 1 .. 8)); push @lines, $s; $h{substr($s, 7, 2)}++; }
my @sorted = sort { $a cmp $b } @lines;
print scalar(@sorted), " $sorted[0] $sorted[-1]\n";
my $matches = grep { /^(\d)\1/ && /([a-z])\1/ } @lines;
print "matches $matches\n";
print join(",", map { "$_=$h{$_}" } (sort keys %h)[0 .. 9]), "\n";
print unpack("H*", pack("N*", 1 .. 8)), "\n";
