package findings

// This file's SNS server is a TEST DOUBLE: SNS cannot run here. It follows the documented
// SNS Query API (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html and
// CommonErrors): a form-encoded POST with Action=Publish, Version=2010-03-31, TopicArn,
// Message, Subject and MessageAttributes.entry.N.*; a PublishResponse XML document on
// success and an ErrorResponse document (Type, Code, Message) with a 4xx status on errors.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

type fakeSNS struct {
	mu       sync.Mutex
	topics   map[string]bool
	messages []map[string]string
}

func (s *fakeSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		snsError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", "bad request")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		snsError(w, http.StatusForbidden, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token")
		return
	}
	if r.Form.Get("Action") != "Publish" || r.Form.Get("Version") != "2010-03-31" {
		snsError(w, http.StatusBadRequest, "Sender", "InvalidAction", "unsupported action")
		return
	}
	if r.Form.Get("Message") == "" {
		snsError(w, http.StatusBadRequest, "Sender", "InvalidParameter", "Invalid parameter: Message")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.topics[r.Form.Get("TopicArn")] {
		snsError(w, http.StatusNotFound, "Sender", "NotFound", "Topic does not exist")
		return
	}
	msg := map[string]string{}
	for k := range r.Form {
		msg[k] = r.Form.Get(k)
	}
	s.messages = append(s.messages, msg)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e9%02d</MessageId></PublishResult>
  <ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata>
</PublishResponse>`, len(s.messages))
}

func snsError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>42d59b56-7407-4c4a-be0f-4c88daeea257</RequestId>
</ErrorResponse>`, typ, code, msg)
}

func TestSNSPublishesASFF(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	topic := "arn:aws:sns:eu-west-1:123456789012:rampart-findings"
	fake := &fakeSNS{topics: map[string]bool{topic: true}}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	sink, err := NewSNS(context.Background(), &config.ASFF{SNSTopicARN: topic, Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	f := sample(TypeCoinMiner, t0)
	if err := sink.Send(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	if len(fake.messages) != 1 {
		t.Fatalf("%d messages published", len(fake.messages))
	}
	m := fake.messages[0]
	if m["TopicArn"] != topic || !strings.HasPrefix(m["Subject"], "rampart-cdr coin_miner") {
		t.Errorf("published %v", m)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(m["Message"]), &doc); err != nil {
		t.Fatalf("message is not JSON: %v", err)
	}
	checkASFF(t, doc)
	if doc["AwsAccountId"] != "123456789012" || !strings.Contains(doc["ProductArn"].(string), ":eu-west-1:") {
		t.Errorf("account and region must come from the topic ARN: %v %v", doc["AwsAccountId"], doc["ProductArn"])
	}

	// A topic that does not exist: the SDK surfaces SNS's NotFound error.
	missing, _ := NewSNS(context.Background(), &config.ASFF{SNSTopicARN: "arn:aws:sns:eu-west-1:123456789012:gone", Endpoint: srv.URL})
	err = missing.Send(context.Background(), &f)
	if err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Errorf("publish to a missing topic: %v, want NotFound", err)
	}
}
