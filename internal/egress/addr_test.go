package egress

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDialControl(t *testing.T) {
	const (
		pub  = public
		loop = loopback
		no   = never
	)
	tests := []struct {
		network, address string
		// class is who may connect: public-host clients, loopback-host
		// clients with AllowLoopback, or no one.
		class addrClass
	}{
		// Public addresses.
		{"tcp4", "8.8.8.8:443", pub},
		{"tcp4", "140.82.112.3:443", pub},
		{"tcp4", "142.250.74.106:443", pub},
		{"tcp6", "[2607:f8b0:4004:c1b::5f]:443", pub},
		{"tcp4", "172.32.0.1:443", pub},  // just above 172.16.0.0/12
		{"tcp4", "100.128.0.1:443", pub}, // just above 100.64.0.0/10
		{"tcp4", "11.0.0.1:443", pub},
		{"tcp4", "169.253.255.255:443", pub},
		{"tcp6", "[::ffff:8.8.8.8]:443", pub},   // IPv4-mapped public
		{"tcp6", "[64:ff9b::808:808]:443", pub}, // NAT64 of 8.8.8.8
		{"tcp6", "[2002:808:808::1]:443", pub},  // 6to4 of 8.8.8.8
		{"tcp", "8.8.8.8:80", pub},

		// Loopback only for a loopback host with AllowLoopback; private and the
		// rest for no one, embedded loopback included (a NAT64 or 6to4
		// gateway's loopback is not ours).
		{"tcp4", "127.0.0.1:443", loop},
		{"tcp4", "127.1.2.3:443", loop},
		{"tcp6", "[::1]:443", loop},
		{"tcp4", "10.0.0.1:443", no},
		{"tcp4", "10.255.255.255:443", no},
		{"tcp4", "172.16.0.1:443", no},
		{"tcp4", "172.31.255.255:443", no},
		{"tcp4", "192.168.1.1:443", no},
		{"tcp6", "[fc00::1]:443", no},
		{"tcp6", "[fd12:3456::1]:443", no},
		{"tcp4", "100.64.0.1:443", no},
		{"tcp4", "100.127.255.255:443", no},
		{"tcp4", "192.0.0.8:443", no},
		{"tcp4", "198.18.0.1:443", no},
		{"tcp4", "192.0.2.1:443", no},
		{"tcp4", "192.0.2.2:443", no},
		{"tcp6", "[fd00::2]:443", no},
		{"tcp6", "[2001:db8::1]:443", no},
		{"tcp6", "[2001::1]:443", no}, // Teredo
		{"tcp6", "[fec0::1]:443", no},
		{"tcp6", "[64:ff9b:1::1]:443", no},
		{"tcp6", "[::ffff:127.0.0.1]:443", loop}, // IPv4-mapped loopback
		{"tcp6", "[::ffff:10.0.0.1]:443", no},    // IPv4-mapped private
		{"tcp6", "[::127.0.0.1]:443", no},        // IPv4-compatible loopback
		{"tcp6", "[::8.8.8.8]:443", no},          // IPv4-compatible, deprecated
		{"tcp6", "[::ffff:0:127.0.0.1]:443", no}, // IPv4-translated loopback
		{"tcp6", "[64:ff9b::7f00:1]:443", no},    // NAT64 of 127.0.0.1
		{"tcp6", "[64:ff9b::a00:1]:443", no},     // NAT64 of 10.0.0.1
		{"tcp6", "[2002:7f00:1::1]:443", no},     // 6to4 of 127.0.0.1
		{"tcp6", "[2002:c0a8:101::1]:443", no},   // 6to4 of 192.168.1.1

		// Never: metadata, link-local, unspecified, multicast, broadcast.
		{"tcp4", "169.254.169.254:80", no},
		{"tcp4", "169.254.170.2:80", no}, // ECS task metadata
		{"tcp4", "169.254.0.1:80", no},
		{"tcp6", "[fd00:ec2::254]:80", no},
		{"tcp4", "100.100.100.200:80", no},
		{"tcp4", "168.63.129.16:80", no},
		{"tcp6", "[::ffff:169.254.169.254]:80", no},
		{"tcp6", "[64:ff9b::a9fe:a9fe]:80", no}, // NAT64 of 169.254.169.254
		{"tcp6", "[2002:a9fe:a9fe::1]:80", no},  // 6to4 of 169.254.169.254
		{"tcp6", "[::169.254.169.254]:80", no},
		{"tcp6", "[fe80::1]:80", no},
		{"tcp6", "[fe80::1%eth0]:80", no},
		{"tcp4", "0.0.0.0:80", no},
		{"tcp4", "0.1.2.3:80", no},
		{"tcp6", "[::]:80", no},
		{"tcp6", "[::ffff:0.0.0.0]:80", no},
		{"tcp4", "224.0.0.1:80", no},
		{"tcp4", "239.255.255.250:80", no},
		{"tcp6", "[ff02::1]:80", no},
		{"tcp4", "255.255.255.255:80", no},
		{"tcp4", "240.0.0.1:80", no},

		// Not TCP to an IP address.
		{"udp4", "8.8.8.8:53", no},
		{"unix", "/var/run/docker.sock", no},
		{"tcp", "example.com:443", no},
		{"tcp", "8.8.8.8", no},
	}
	// dialOffHost (a LoopbackOnly client for a host that is not
	// loopback) allows nothing.
	modes := []dialMode{dialPublic, dialLoopback, dialNone, dialOffHost}
	for _, tt := range tests {
		for _, m := range modes {
			want := tt.class == public && m == dialPublic || tt.class == loopback && m == dialLoopback
			control := dialControl(m)
			err := control(context.Background(), tt.network, tt.address, nil)
			if got := err == nil; got != want {
				t.Errorf("control(%s, %s) in mode %d: got error %v, want allowed %v", tt.network, tt.address, m, err, want)
			}
			if err != nil && !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("control(%s, %s): got error %v, want ErrBlockedAddress", tt.network, tt.address, err)
			}
		}
	}
}
func TestIsLoopbackHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.1:8080", true},
		{"127.9.9.9", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"localhost", true},
		{"LOCALHOST:8080", true},
		{"localhost.", true},
		{"api.localhost", true},
		{"10.1.2.3", false},
		{"192.168.0.10:3000", false},
		{"[fd00::5]:80", false},
		{"169.254.169.254", false},
		{"fe80::1%eth0", false},
		{"0.0.0.0", false},
		{"[64:ff9b::7f00:1]", false},
		{"gmail.googleapis.com", false},
		{"api.github.com:443", false},
		{"8.8.8.8", false},
		{"localhost.example.com", false},
		{"notlocalhost", false},
		{"2130706433", false}, // no DNS, no legacy forms: refused at dial time instead
		{"", false},
	}
	for _, tt := range tests {
		if got := IsLoopbackHost(tt.host); got != tt.want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url string
		// ok is the outcome without and with allowLoopback.
		off, on bool
	}{
		{"https://api.github.com", true, true},
		{"https://gmail.googleapis.com/gmail/v1", true, true},
		{"https://8.8.8.8/x", true, true},
		{"https://[2607:f8b0::1]/x", true, true},
		{"http://127.0.0.1:8080", false, true},
		{"https://127.0.0.1:8443/api", false, true},
		{"http://[::1]:8080", false, true},
		{"http://localhost:3000", false, true},
		{"http://api.localhost", false, true},

		{"http://api.github.com", false, false}, // plain http to a public host
		{"http://169.254.169.254/latest/meta-data/", false, false},
		{"https://169.254.169.254/", false, false},
		{"https://10.0.0.1/", false, false},
		{"https://192.0.2.2/", false, false},
		{"https://[fd00::2]/", false, false},
		{"https://[fe80::1%25eth0]/", false, false},
		{"https://0.0.0.0/", false, false},
		{"https://[64:ff9b::7f00:1]/", false, false},
		{"https://user:pw@api.github.com/", false, false},
		{"ftp://api.github.com/", false, false},
		{"api.github.com/x", false, false},
		{"/relative", false, false},
		{"https://", false, false},
		{"mailto:a@b.example", false, false},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			want := tt.off
			if allow {
				want = tt.on
			}
			_, err := CheckURL(tt.url, allow)
			if got := err == nil; got != want {
				t.Errorf("CheckURL(%q, %v): got error %v, want ok %v", tt.url, allow, err, want)
			}
			if err != nil && !errors.Is(err, ErrURL) {
				t.Errorf("CheckURL(%q): got error %v, want ErrURL", tt.url, err)
			}
			if err != nil && strings.Contains(err.Error(), tt.url) {
				t.Errorf("CheckURL(%q): error %q repeats the URL", tt.url, err)
			}
		}
	}
}
