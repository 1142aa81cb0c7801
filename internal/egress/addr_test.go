package egress

import (
	"context"
	"errors"
	"testing"
)

func TestDialControl(t *testing.T) {
	tests := []struct {
		network, address string
		// want is the outcome without and with AllowPrivate.
		public, private bool
	}{
		// Public addresses.
		{"tcp4", "8.8.8.8:443", true, true},
		{"tcp4", "140.82.112.3:443", true, true},
		{"tcp4", "142.250.74.106:443", true, true},
		{"tcp6", "[2607:f8b0:4004:c1b::5f]:443", true, true},
		{"tcp4", "172.32.0.1:443", true, true},  // just above 172.16.0.0/12
		{"tcp4", "100.128.0.1:443", true, true}, // just above 100.64.0.0/10
		{"tcp4", "11.0.0.1:443", true, true},
		{"tcp4", "169.253.255.255:443", true, true},
		{"tcp6", "[::ffff:8.8.8.8]:443", true, true},   // IPv4-mapped public
		{"tcp6", "[64:ff9b::808:808]:443", true, true}, // NAT64 of 8.8.8.8
		{"tcp6", "[2002:808:808::1]:443", true, true},  // 6to4 of 8.8.8.8
		{"tcp", "8.8.8.8:80", true, true},

		// Loopback and private: only with AllowPrivate.
		{"tcp4", "127.0.0.1:443", false, true},
		{"tcp4", "127.1.2.3:443", false, true},
		{"tcp6", "[::1]:443", false, true},
		{"tcp4", "10.0.0.1:443", false, true},
		{"tcp4", "10.255.255.255:443", false, true},
		{"tcp4", "172.16.0.1:443", false, true},
		{"tcp4", "172.31.255.255:443", false, true},
		{"tcp4", "192.168.1.1:443", false, true},
		{"tcp6", "[fc00::1]:443", false, true},
		{"tcp6", "[fd12:3456::1]:443", false, true},
		{"tcp4", "100.64.0.1:443", false, true},
		{"tcp4", "100.127.255.255:443", false, true},
		{"tcp4", "192.0.0.8:443", false, true},
		{"tcp4", "198.18.0.1:443", false, true},
		{"tcp4", "192.0.2.1:443", false, true},
		{"tcp6", "[2001:db8::1]:443", false, true},
		{"tcp6", "[2001::1]:443", false, true}, // Teredo
		{"tcp6", "[fec0::1]:443", false, true},
		{"tcp6", "[64:ff9b:1::1]:443", false, true},
		{"tcp6", "[::ffff:127.0.0.1]:443", false, true},   // IPv4-mapped loopback
		{"tcp6", "[::ffff:10.0.0.1]:443", false, true},    // IPv4-mapped private
		{"tcp6", "[::127.0.0.1]:443", false, true},        // IPv4-compatible loopback
		{"tcp6", "[::8.8.8.8]:443", false, true},          // IPv4-compatible, deprecated
		{"tcp6", "[::ffff:0:127.0.0.1]:443", false, true}, // IPv4-translated loopback
		{"tcp6", "[64:ff9b::7f00:1]:443", false, true},    // NAT64 of 127.0.0.1
		{"tcp6", "[64:ff9b::a00:1]:443", false, true},     // NAT64 of 10.0.0.1
		{"tcp6", "[2002:7f00:1::1]:443", false, true},     // 6to4 of 127.0.0.1
		{"tcp6", "[2002:c0a8:101::1]:443", false, true},   // 6to4 of 192.168.1.1

		// Never: metadata, link-local, unspecified, multicast, broadcast.
		{"tcp4", "169.254.169.254:80", false, false},
		{"tcp4", "169.254.170.2:80", false, false}, // ECS task metadata
		{"tcp4", "169.254.0.1:80", false, false},
		{"tcp6", "[fd00:ec2::254]:80", false, false},
		{"tcp4", "100.100.100.200:80", false, false},
		{"tcp4", "168.63.129.16:80", false, false},
		{"tcp6", "[::ffff:169.254.169.254]:80", false, false},
		{"tcp6", "[64:ff9b::a9fe:a9fe]:80", false, false}, // NAT64 of 169.254.169.254
		{"tcp6", "[2002:a9fe:a9fe::1]:80", false, false},  // 6to4 of 169.254.169.254
		{"tcp6", "[::169.254.169.254]:80", false, false},
		{"tcp6", "[fe80::1]:80", false, false},
		{"tcp6", "[fe80::1%eth0]:80", false, false},
		{"tcp4", "0.0.0.0:80", false, false},
		{"tcp4", "0.1.2.3:80", false, false},
		{"tcp6", "[::]:80", false, false},
		{"tcp6", "[::ffff:0.0.0.0]:80", false, false},
		{"tcp4", "224.0.0.1:80", false, false},
		{"tcp4", "239.255.255.250:80", false, false},
		{"tcp6", "[ff02::1]:80", false, false},
		{"tcp4", "255.255.255.255:80", false, false},
		{"tcp4", "240.0.0.1:80", false, false},

		// Not TCP to an IP address.
		{"udp4", "8.8.8.8:53", false, false},
		{"unix", "/var/run/docker.sock", false, false},
		{"tcp", "example.com:443", false, false},
		{"tcp", "8.8.8.8", false, false},
	}
	for _, tt := range tests {
		for _, allowPrivate := range []bool{false, true} {
			want := tt.public
			if allowPrivate {
				want = tt.private
			}
			control := dialControl(allowPrivate)
			err := control(context.Background(), tt.network, tt.address, nil)
			if got := err == nil; got != want {
				t.Errorf("control(%s, %s) with AllowPrivate %v: got error %v, want allowed %v", tt.network, tt.address, allowPrivate, err, want)
			}
			if err != nil && !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("control(%s, %s): got error %v, want ErrBlockedAddress", tt.network, tt.address, err)
			}
		}
	}
}

func TestIsPrivateHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.1:8080", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"::1", true},
		{"localhost", true},
		{"LOCALHOST:8080", true},
		{"localhost.", true},
		{"api.localhost", true},
		{"10.1.2.3", true},
		{"192.168.0.10:3000", true},
		{"172.20.0.2", true},
		{"[fd00::5]:80", true},
		{"169.254.169.254", true},
		{"fe80::1%eth0", true},
		{"0.0.0.0", true},
		{"::ffff:127.0.0.1", true},
		{"gmail.googleapis.com", false},
		{"api.github.com:443", false},
		{"8.8.8.8", false},
		{"[2607:f8b0::1]:443", false},
		{"localhost.example.com", false},
		{"notlocalhost", false},
		{"2130706433", false}, // no DNS, no legacy forms: refused at dial time instead
		{"", false},
	}
	for _, tt := range tests {
		if got := IsPrivateHost(tt.host); got != tt.want {
			t.Errorf("IsPrivateHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}
