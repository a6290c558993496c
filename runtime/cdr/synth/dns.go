package synth

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// DNSQuery is the payload of a DNS query for name (type qtype, e.g. layers.DNSTypeA).
func DNSQuery(id uint16, name string, qtype layers.DNSType) []byte {
	return dnsMessage(&layers.DNS{
		ID: id, RD: true, QDCount: 1,
		Questions: []layers.DNSQuestion{{Name: []byte(name), Type: qtype, Class: layers.DNSClassIN}},
	})
}

// DNSResponse answers a query for name with rcode (layers.DNSResponseCodeNoErr or
// layers.DNSResponseCodeNXDomain); a NOERROR A answer carries one address.
func DNSResponse(id uint16, name string, qtype layers.DNSType, rcode layers.DNSResponseCode) []byte {
	msg := &layers.DNS{
		ID: id, QR: true, RD: true, RA: true, ResponseCode: rcode, QDCount: 1,
		Questions: []layers.DNSQuestion{{Name: []byte(name), Type: qtype, Class: layers.DNSClassIN}},
	}
	if rcode == layers.DNSResponseCodeNoErr {
		answer := layers.DNSResourceRecord{Name: []byte(name), Type: qtype, Class: layers.DNSClassIN, TTL: 60}
		switch qtype {
		case layers.DNSTypeA:
			answer.IP = []byte{93, 184, 216, 34}
		case layers.DNSTypeTXT:
			answer.TXTs = [][]byte{[]byte("ok")}
		default:
			answer = layers.DNSResourceRecord{}
		}
		if answer.Name != nil {
			msg.Answers = []layers.DNSResourceRecord{answer}
			msg.ANCount = 1
		}
	}
	return dnsMessage(msg)
}

func dnsMessage(msg *layers.DNS) []byte {
	buf := gopacket.NewSerializeBuffer()
	if err := msg.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		panic("synth: serialise DNS: " + err.Error())
	}
	return append([]byte(nil), buf.Bytes()...)
}
