package schema

import (
	"fmt"
	"math/big"
	"net/netip"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// The cidr* functions do address arithmetic on IPv4 and IPv6 networks, with the same
// results as Terraform's functions of the same names. Addresses are handled as big
// integers so both families share one code path.

var cidrSubnetFunc = function.New(&function.Spec{
	Description: "The network numbered netnum among the subnets of prefix that are newbits longer.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		prefix, err := parsePrefix(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		newbits, err := wholeNumber(args[1], 1)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		netnum, err := wholeNumber(args[2], 2)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		subnet, err := cidrSubnet(prefix, newbits, netnum)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(subnet.String()), nil
	},
})

var cidrHostFunc = function.New(&function.Spec{
	Description: "The address numbered hostnum in prefix; a negative hostnum counts back from the last address.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		prefix, err := parsePrefix(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		hostnum, err := wholeNumber(args[1], 1)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		host, err := cidrHost(prefix, hostnum)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(host.String()), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Description: "The netmask of prefix in address notation, e.g. 255.240.0.0.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		prefix, err := parsePrefix(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(cidrNetmask(prefix).String()), nil
	},
})

// cidrSubnet extends prefix by newbits and picks the subnet numbered netnum.
func cidrSubnet(prefix netip.Prefix, newbits, netnum *big.Int) (netip.Prefix, error) {
	total := prefix.Addr().BitLen()
	if newbits.Sign() < 0 || newbits.Cmp(big.NewInt(int64(total-prefix.Bits()))) > 0 {
		return netip.Prefix{}, function.NewArgErrorf(1, "cannot extend a prefix of length %d by %s bits: an IPv%d address has %d bits", prefix.Bits(), newbits, ipVersion(prefix), total)
	}
	length := prefix.Bits() + int(newbits.Int64())
	limit := new(big.Int).Lsh(big.NewInt(1), uint(newbits.Int64()))
	if netnum.Sign() < 0 || netnum.Cmp(limit) >= 0 {
		return netip.Prefix{}, function.NewArgErrorf(2, "a prefix extended by %s bits has subnets numbered 0 to %s, not %s", newbits, new(big.Int).Sub(limit, big.NewInt(1)), netnum)
	}
	n := addrToInt(prefix.Addr())
	n.Or(n, new(big.Int).Lsh(netnum, uint(total-length)))
	return netip.PrefixFrom(intToAddr(n, prefix.Addr().Is4()), length), nil
}

// cidrHost picks the address numbered hostnum inside prefix.
func cidrHost(prefix netip.Prefix, hostnum *big.Int) (netip.Addr, error) {
	hostBits := prefix.Addr().BitLen() - prefix.Bits()
	size := new(big.Int).Lsh(big.NewInt(1), uint(hostBits))
	n := new(big.Int).Set(hostnum)
	if n.Sign() < 0 {
		n.Add(n, size)
	}
	if n.Sign() < 0 || n.Cmp(size) >= 0 {
		return netip.Addr{}, function.NewArgErrorf(1, "prefix %s has %s addresses, numbered 0 to %s (or -1 back to -%s); %s is outside", prefix, size, new(big.Int).Sub(size, big.NewInt(1)), size, hostnum)
	}
	base := addrToInt(prefix.Addr())
	return intToAddr(base.Or(base, n), prefix.Addr().Is4()), nil
}

// cidrNetmask is the mask of prefix as an address: ones for the network bits.
func cidrNetmask(prefix netip.Prefix) netip.Addr {
	total := prefix.Addr().BitLen()
	ones := new(big.Int).Lsh(big.NewInt(1), uint(prefix.Bits()))
	ones.Sub(ones, big.NewInt(1))
	return intToAddr(ones.Lsh(ones, uint(total-prefix.Bits())), prefix.Addr().Is4())
}

// parsePrefix reads a CIDR prefix; host bits are cleared, as Terraform does.
func parsePrefix(v cty.Value) (netip.Prefix, error) {
	prefix, err := netip.ParsePrefix(v.AsString())
	if err != nil {
		return netip.Prefix{}, function.NewArgErrorf(0, "%q is not a CIDR prefix like 10.0.0.0/8 or fd00::/8", v.AsString())
	}
	return prefix.Masked(), nil
}

func wholeNumber(v cty.Value, arg int) (*big.Int, error) {
	f := v.AsBigFloat()
	if !f.IsInt() {
		return nil, function.NewArgErrorf(arg, "%s is not a whole number", f.Text('f', -1))
	}
	n, _ := f.Int(nil)
	return n, nil
}

func addrToInt(a netip.Addr) *big.Int { return new(big.Int).SetBytes(a.AsSlice()) }

func intToAddr(n *big.Int, is4 bool) netip.Addr {
	size := 16
	if is4 {
		size = 4
	}
	addr, ok := netip.AddrFromSlice(n.FillBytes(make([]byte, size)))
	if !ok {
		panic(fmt.Sprintf("schema: %d bytes do not make an address", size))
	}
	return addr
}

func ipVersion(p netip.Prefix) int {
	if p.Addr().Is4() {
		return 4
	}
	return 6
}
