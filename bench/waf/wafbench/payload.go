package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The two requests of the benchmark. The GET carries four query arguments; both requests
// are sent with "Host: localhost" because CRS rule 920350 scores a numeric Host header,
// which would block every request at PL1 and measure the block page instead.
const (
	benchHost = "localhost"
	getPath   = "/search?q=blue+mug&category=kitchen&page=2&sort=price_asc"
	postPath  = "/api/orders"
)

// jsonOrder is the 2 KB JSON POST: a shop order of realistic, benign data with exactly
// 118 scalar fields (10 about the order, 27 line items of 4 fields each). Field values are
// derived from their index, so the body is the same on every run and every machine.
type jsonOrder struct {
	OrderID       int        `json:"order_id"`
	CustomerID    int        `json:"customer_id"`
	Currency      string     `json:"currency"`
	Channel       string     `json:"channel"`
	PlacedAt      string     `json:"placed_at"`
	ShippingCity  string     `json:"shipping_city"`
	ShippingZip   string     `json:"shipping_zip"`
	GiftWrap      bool       `json:"gift_wrap"`
	CouponApplied bool       `json:"coupon_applied"`
	TotalCents    int        `json:"total_cents"`
	Items         []jsonItem `json:"items"`
}

type jsonItem struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"price_cents"`
}

// Benign product names. Words that CRS reads as code (select, union, script, exec, cmd,
// or, and, shell names) are avoided; see bench/waf/README.md.
var productNames = []string{
	"Blue mug", "Tea towel", "Oak board", "Salad bowl", "Bread tin",
	"Glass jar", "Linen napkin", "Steel whisk", "Pepper mill",
}

const (
	orderItems         = 27
	orderFields        = 10 + orderItems*4 // 118
	itemBasePriceCents = 350
)

// jsonPostBody returns the JSON POST body (about 2 KB, 118 fields).
func jsonPostBody() []byte {
	order := jsonOrder{
		OrderID:      104729,
		CustomerID:   52711,
		Currency:     "EUR",
		Channel:      "mobile-web",
		PlacedAt:     "2025-03-14T09:26:53Z",
		ShippingCity: "Villeurbanne",
		ShippingZip:  "69100",
		GiftWrap:     false,
		TotalCents:   0,
	}
	for i := range orderItems {
		item := jsonItem{
			SKU:        fmt.Sprintf("SKU-%05d", 10000+i*37),
			Name:       productNames[i%len(productNames)],
			Qty:        1 + i%4,
			PriceCents: itemBasePriceCents + i*125,
		}
		order.TotalCents += item.Qty * item.PriceCents
		order.Items = append(order.Items, item)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(order); err != nil {
		panic(err) // a fixed struct of strings and numbers always encodes
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
